package io.jenkins.plugins.kubeadm.core.params;

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

    public static InstallRuntimeParams of(String kubernetesVersion, String pauseImage, String aptRepo, String aptKeyUrl) {
        KubernetesVersion version = blank(kubernetesVersion) ? KubernetesVersion.defaultVersion()
                : Validators.kubernetesVersion("kubernetesVersion", kubernetesVersion);
        String image = blank(pauseImage) ? null
                : Validators.imageReference("pauseImage", pauseImage, "registry.k8s.io/pause:3.10 or myregistry:5000/pause:3.10");
        return new InstallRuntimeParams(version, image, blank(aptRepo) ? null : Validators.httpUrl("aptRepository", aptRepo).toString(),
                blank(aptKeyUrl) ? null : Validators.httpUrl("aptKeyUrl", aptKeyUrl).toString(), null);
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
}
