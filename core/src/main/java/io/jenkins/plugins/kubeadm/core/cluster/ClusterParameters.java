package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/** Checks for the cluster steps' own parameters (the shared ones are in core.params.Validators). */
public final class ClusterParameters {

    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern REGISTRY = Pattern.compile(
            "[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private ClusterParameters() {
    }

    /** A Linux network interface name as flanneld's --iface takes it: 1-15 characters, no '/', ':' or space. */
    public static String networkInterface(String parameter, String value) {
        String form = "a network interface name such as eth1 or enp0s8 (1-15 letters, digits, '.', '_', '-')";
        String v = Validators.required(parameter, value, form);
        if (!INTERFACE.matcher(v).matches()) {
            throw new ParameterException(parameter, "'" + value + "' is not an interface name", form);
        }
        return v;
    }

    public static String sha256(String parameter, String value) {
        String form = "64 hexadecimal digits (sha256sum output)";
        String v = Validators.required(parameter, value, form);
        if (!SHA256.matcher(v).matches()) {
            throw new ParameterException(parameter, "is not a SHA-256 digest", form);
        }
        return v.toLowerCase(Locale.ROOT);
    }

    /** A registry host with optional port and path prefix: {@code registry.local:5000} or {@code harbor.example.com/mirror}. */
    public static String imageRegistry(String parameter, String value) {
        String form = "a registry host, optional :port and /path, such as registry.local:5000 or harbor.example.com/mirror";
        String v = Validators.required(parameter, value, form);
        while (v.endsWith("/")) {
            v = v.substring(0, v.length() - 1);
        }
        if (v.contains("://") || !REGISTRY.matcher(v).matches()) {
            throw new ParameterException(parameter, "'" + value + "' is not a registry reference", form);
        }
        return v;
    }

    /** An http(s) URL; the value is not echoed, since a URL may carry credentials. */
    public static URI httpUrl(String parameter, String value) {
        String form = "an http:// or https:// URL";
        String v = Validators.required(parameter, value, form);
        try {
            URI uri = URI.create(v);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new ParameterException(parameter, "is not an http(s) URL", form);
    }

    public static Path existingFile(String parameter, String value) {
        String form = "the path of a readable file";
        Path path = Path.of(Validators.required(parameter, value, form));
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new ParameterException(parameter, "'" + value + "' is not a readable file", form);
        }
        return path;
    }

    public static String namespace(String parameter, String value) {
        String form = "a namespace name: lower-case letters, digits and '-', at most 63 characters";
        String v = Validators.required(parameter, value, form);
        if (!DNS_LABEL.matcher(v).matches()) {
            throw new ParameterException(parameter, "'" + value + "' is not a namespace name", form);
        }
        return v;
    }

    /** An object name (DNS-1123 subdomain), e.g. a Service or Pod name. */
    public static String objectName(String parameter, String value) {
        String form = "an object name: lower-case letters, digits, '-' and '.', at most 253 characters";
        String v = Validators.required(parameter, value, form);
        if (v.length() > 253 || !DNS_SUBDOMAIN.matcher(v).matches()) {
            throw new ParameterException(parameter, "'" + value + "' is not an object name", form);
        }
        return v;
    }

    /** A timeout in seconds, 1 to 86400. */
    public static Duration timeoutSeconds(String parameter, long seconds) {
        if (seconds < 1 || seconds > 86_400) {
            throw new ParameterException(parameter, seconds + " is out of range", "seconds, 1 to 86400");
        }
        return Duration.ofSeconds(seconds);
    }

    /** A smoke-check path on the proxied server: starts with '/', no spaces, no '..' segments. */
    public static String urlPath(String parameter, String value) {
        String form = "a path starting with '/', such as / or /healthz";
        String v = Validators.required(parameter, value, form);
        if (!v.startsWith("/") || v.chars().anyMatch(c -> c <= ' ' || c == 127) || v.contains("/../") || v.endsWith("/..")) {
            throw new ParameterException(parameter, "'" + value + "' is not a URL path", form);
        }
        return v;
    }
}
