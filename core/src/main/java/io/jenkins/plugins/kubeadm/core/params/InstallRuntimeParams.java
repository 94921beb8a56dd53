package io.jenkins.plugins.kubeadm.core.params;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parameters of installRuntime (resources/kubeadm/scripts/install-runtime.sh). Unset values keep the
 * script's defaults: the newest supported minor, its pause image, pkgs.k8s.io and its key.
 */
public record InstallRuntimeParams(KubernetesVersion kubernetesVersion, String pauseImage, String aptRepo, String aptKeyUrl,
                                   String registryMirror) {

    private static final Pattern REGISTRY_MIRROR = Pattern.compile("(https?)://([a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?)/?");

    private static final Pattern IMAGE_REFERENCE = Pattern.compile(
            "[a-z0-9]([a-z0-9._-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*"
                    + "(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?");

    public static InstallRuntimeParams of(String kubernetesVersion, String pauseImage, String aptRepo, String aptKeyUrl) {
        KubernetesVersion version = blank(kubernetesVersion) ? KubernetesVersion.defaultVersion()
                : Validators.kubernetesVersion("kubernetesVersion", kubernetesVersion);
        String image = null;
        if (!blank(pauseImage)) {
            image = pauseImage.trim();
            if (!IMAGE_REFERENCE.matcher(image).matches()) {
                throw new ParameterException("pauseImage", "'" + pauseImage + "' is not an image reference",
                        "e.g. registry.k8s.io/pause:3.10 or myregistry:5000/pause:3.10");
            }
        }
        return new InstallRuntimeParams(version, image, blank(aptRepo) ? null : httpUrl("aptRepository", aptRepo),
                blank(aptKeyUrl) ? null : httpUrl("aptKeyUrl", aptKeyUrl), null);
    }

    /**
     * A registry mirror containerd pulls docker.io, registry.k8s.io, quay.io and ghcr.io images from
     * first, and which serves images named after its own HOST:PORT (kubeadm's imageRepository), e.g.
     * {@code http://10.0.0.5:5000}; plain HTTP when the URL says http://. Blank for none.
     */
    public InstallRuntimeParams withRegistryMirror(String mirror) {
        String url = null;
        if (!blank(mirror)) {
            var m = REGISTRY_MIRROR.matcher(mirror.trim());
            if (!m.matches()) {
                throw new ParameterException("registryMirror", "'" + mirror + "' is not a registry URL",
                        "http:// or https:// HOST[:PORT] without a path, e.g. http://10.0.0.5:5000 or https://mirror.lab.example");
            }
            url = m.group(1) + "://" + m.group(2);
        }
        return new InstallRuntimeParams(kubernetesVersion, pauseImage, aptRepo, aptKeyUrl, url);
    }

    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KUBERNETES_VERSION", kubernetesVersion.toString());
        if (pauseImage != null) {
            env.put("PAUSE_IMAGE", pauseImage);
        }
        if (aptRepo != null) {
            env.put("KUBERNETES_APT_REPO", aptRepo);
        }
        if (aptKeyUrl != null) {
            env.put("KUBERNETES_APT_KEY_URL", aptKeyUrl);
        }
        if (registryMirror != null) {
            env.put("REGISTRY_MIRROR", registryMirror);
        }
        return env;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String httpUrl(String parameter, String value) {
        String form = "an http:// or https:// URL without spaces, e.g. https://pkgs.k8s.io/core:/stable:/v1.31/deb/";
        String v = value.trim();
        try {
            URI uri = new URI(v);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && !v.matches(".*[\\s\"'\\[\\]].*")) {
                return v;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new ParameterException(parameter, "'" + value + "' is not a URL", form);
    }
}
