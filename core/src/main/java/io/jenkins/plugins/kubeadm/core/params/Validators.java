package io.jenkins.plugins.kubeadm.core.params;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one place where user-supplied values are checked. Every method returns the normalised value
 * or throws {@link ParameterException} naming the parameter and the accepted form.
 */
public final class Validators {

    private static final Pattern WORKSPACE_FILE = Pattern.compile("[A-Za-z0-9._/-]{1,200}");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern KUBERNETES_VERSION = Pattern.compile("v?(1)\\.(\\d{1,2})(?:\\.(\\d{1,3}))?");
    private static final Pattern ADDON_VERSION = Pattern.compile("v?(\\d{1,4}\\.\\d{1,4}\\.\\d{1,4})");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");
    private static final Pattern CREDENTIAL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    /** A registry host, optional port and path: kubeadm's imageRepository, a CNI's or the GPU plugin's mirror. */
    private static final Pattern IMAGE_REGISTRY = Pattern.compile(
            "[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*");
    private static final Pattern IMAGE_TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /** A container image reference: [registry[:port]/]path[:tag][@sha256:digest]; addons.ImageReference splits it. */
    public static final Pattern IMAGE_REFERENCE = Pattern.compile(
            "[a-z0-9]([a-z0-9._-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*"
                    + "(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private Validators() {
    }

    /** A value that must be present. */
    public static String required(String parameter, String value, String acceptedForm) {
        if (value == null || value.isBlank()) {
            throw new ParameterException(parameter, "is required", acceptedForm);
        }
        return value.trim();
    }

    /** RFC 1123 hostname: dot-separated lower-case labels of 1-63 characters, 253 characters in all. */
    public static String hostname(String parameter, String value) {
        String form = "an RFC 1123 hostname: labels of a-z, 0-9 and '-', 1-63 characters each, "
                + "not starting or ending with '-', at most 253 characters";
        String v = required(parameter, value, form).toLowerCase(Locale.ROOT);
        if (v.length() > 253) {
            throw new ParameterException(parameter, "is longer than 253 characters", form);
        }
        for (String label : v.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                throw new ParameterException(parameter, "'" + value + "' is not a valid hostname", form);
            }
        }
        return v;
    }

    /** An IPv4 address in dotted-quad form. */
    public static String ipv4(String parameter, String value) {
        String form = "an IPv4 address such as 192.168.1.10";
        String v = required(parameter, value, form);
        if (parseIpv4(v) < 0) {
            throw new ParameterException(parameter, "'" + value + "' is not an IPv4 address", form);
        }
        return v;
    }

    /** Whether a value a node reported is an IPv4 address in dotted-quad form (a check, not a parameter's). */
    public static boolean isIpv4(String value) {
        return value != null && parseIpv4(value) >= 0;
    }

    /** An IPv4 CIDR whose address has no bits set outside the prefix, such as 10.244.0.0/16. */
    public static Cidr cidr(String parameter, String value) {
        String form = "an IPv4 CIDR such as 10.244.0.0/16 (network address, prefix 8-30)";
        String v = required(parameter, value, form);
        int slash = v.indexOf('/');
        if (slash < 0) {
            throw new ParameterException(parameter, "'" + value + "' has no /prefix", form);
        }
        long address = parseIpv4(v.substring(0, slash));
        int prefix;
        try {
            prefix = Integer.parseInt(v.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (address < 0 || prefix < 8 || prefix > 30) {
            throw new ParameterException(parameter, "'" + value + "' is not an IPv4 CIDR", form);
        }
        Cidr cidr = new Cidr(address, prefix);
        if (cidr.network() != address) {
            throw new ParameterException(parameter, "'" + value + "' has host bits set; did you mean "
                    + cidr + "?", form);
        }
        return cidr;
    }

    /** A Kubernetes version: a minor ({@code 1.31}) or an exact release ({@code 1.31.2}); a leading v is dropped. */
    public static KubernetesVersion kubernetesVersion(String parameter, String value) {
        String form = "a Kubernetes version such as 1.31 or 1.31.2; supported minors: "
                + String.join(", ", KubernetesVersion.SUPPORTED_MINORS);
        String v = required(parameter, value, form);
        var m = KUBERNETES_VERSION.matcher(v);
        if (!m.matches()) {
            throw new ParameterException(parameter, "'" + value + "' is not a version", form);
        }
        String minor = m.group(1) + "." + Integer.parseInt(m.group(2));
        if (!KubernetesVersion.SUPPORTED_MINORS.contains(minor)) {
            throw new ParameterException(parameter, "minor " + minor + " is not supported", form);
        }
        Integer patch = m.group(3) == null ? null : Integer.parseInt(m.group(3));
        return new KubernetesVersion(minor, patch);
    }

    /**
     * An add-on release as the catalog pins it, {@code v0.20.2}; {@code 0.20.2} gets the leading v, since
     * the catalog spells every version as its upstream tag.
     */
    public static String addonVersion(String parameter, String value) {
        String form = "a release version such as v0.20.2 (v, then major.minor.patch)";
        String v = required(parameter, value, form);
        var m = ADDON_VERSION.matcher(v);
        if (!m.matches()) {
            throw new ParameterException(parameter, "'" + value + "' is not a release version", form);
        }
        return "v" + m.group(1);
    }

    /** A name usable as an environment variable for a node script. */
    public static String environmentName(String parameter, String value) {
        return matching(parameter, value, ENV_NAME, "an environment variable name", "upper-case letters, digits and '_', not starting with a digit");
    }

    /** An NVIDIA driver version as nvidia-smi prints it (gpu-node.sh compares up to three parts). */
    public static String driverVersion(String parameter, String value) {
        String form = "numbers and dots as nvidia-smi prints them, such as 535.104.05";
        String v = required(parameter, value, form);
        if (!v.matches("\\d{1,4}(\\.\\d{1,4}){0,2}")) {
            throw new ParameterException(parameter, "'" + value + "' is not a driver version", form);
        }
        return v;
    }

    /** A whole number from {@code min} to {@code max}, such as a timeout in seconds. */
    public static int integerRange(String parameter, int value, int min, int max, String unit) {
        if (value < min || value > max) {
            throw new ParameterException(parameter, value + " is out of range", unit + ", " + min + " to " + max);
        }
        return value;
    }

    /** A file inside the workspace: a relative path of letters, digits, '.', '_', '-' and '/', no '..' part. */
    public static String workspaceFile(String parameter, String value) {
        String form = "a path inside the workspace such as kubeadm-verify.xml or reports/cluster.xml";
        matching(parameter, value, WORKSPACE_FILE, "a workspace path", form);
        for (String part : value.split("/")) {
            if (part.equals("..") || part.equals(".") || part.isEmpty()) {
                throw new ParameterException(parameter, "'" + value + "' leaves the workspace or has an empty part", form);
            }
        }
        return value;
    }

    /** A Linux network interface name as flanneld's --iface takes it: 1-15 characters, no '/', ':' or space. */
    public static String networkInterface(String parameter, String value) {
        return matching(parameter, value, INTERFACE, "an interface name", "a network interface name such as eth1 or enp0s8 (1-15 letters, digits, '.', '_', '-')");
    }

    public static String sha256(String parameter, String value) {
        String form = "64 hexadecimal digits (sha256sum output)";
        String v = required(parameter, value, form);
        if (!SHA256.matcher(v).matches()) {
            throw new ParameterException(parameter, "is not a SHA-256 digest", form);
        }
        return v.toLowerCase(Locale.ROOT);
    }

    /** A registry host with optional port and path prefix: {@code registry.local:5000} or {@code harbor.example.com/mirror}. */
    public static String imageRegistry(String parameter, String value) {
        String form = "a registry host, optional :port and /path, such as registry.local:5000 or harbor.example.com/mirror";
        String v = required(parameter, value, form);
        while (v.endsWith("/")) {
            v = v.substring(0, v.length() - 1);
        }
        if (v.contains("://") || !IMAGE_REGISTRY.matcher(v).matches()) {
            throw new ParameterException(parameter, "'" + value + "' is not a registry reference", form);
        }
        return v;
    }

    /**
     * An http(s) URL without spaces, quotes or brackets (it may end up in an apt sources line). The value
     * is never quoted back: a URL may carry credentials.
     */
    public static URI httpUrl(String parameter, String value) {
        String form = "an http:// or https:// URL without spaces, e.g. https://pkgs.k8s.io/core:/stable:/v1.31/deb/";
        String v = required(parameter, value, form);
        try {
            URI uri = new URI(v);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && !v.matches(".*[\\s\"'\\[\\]].*")) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new ParameterException(parameter, "is not an http(s) URL", form);
    }

    public static Path existingFile(String parameter, String value) {
        String form = "the path of a readable file";
        Path path = Path.of(required(parameter, value, form));
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new ParameterException(parameter, "'" + value + "' is not a readable file", form);
        }
        return path;
    }

    public static String namespace(String parameter, String value) {
        return matching(parameter, value, DNS_LABEL, "a namespace name", "a namespace name: lower-case letters, digits and '-', at most 63 characters");
    }

    /** An object name (DNS-1123 subdomain), e.g. a Service or Pod name. */
    public static String objectName(String parameter, String value) {
        String form = "an object name: lower-case letters, digits, '-' and '.', at most 253 characters";
        String v = required(parameter, value, form);
        if (v.length() > 253 || !DNS_SUBDOMAIN.matcher(v).matches()) {
            throw new ParameterException(parameter, "'" + value + "' is not an object name", form);
        }
        return v;
    }

    /** Whether a value a node reported is a Kubernetes object name (DNS-1123 subdomain), as {@link #objectName} checks one. */
    public static boolean isObjectName(String value) {
        return value != null && value.length() <= 253 && DNS_SUBDOMAIN.matcher(value).matches();
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
        String v = required(parameter, value, form);
        if (!v.startsWith("/") || v.chars().anyMatch(c -> c <= ' ' || c == 127) || v.contains("/../") || v.endsWith("/..")) {
            throw new ParameterException(parameter, "'" + value + "' is not a URL path", form);
        }
        return v;
    }

    /** A container image reference such as registry.k8s.io/pause:3.10 or myregistry:5000/pause:3.10. */
    public static String imageReference(String parameter, String value, String example) {
        return matching(parameter, value, IMAGE_REFERENCE, "an image reference", "an image reference, e.g. " + example);
    }

    /** An image tag such as 3.5.16-0 or v1.11.3. */
    public static String imageTag(String parameter, String value) {
        return matching(parameter, value, IMAGE_TAG, "an image tag", "letters, digits, '_', '.', '-', e.g. 3.5.16-0 or v1.11.3");
    }

    /** A Jenkins credential id as the steps take one (kubeadmInit writes under it). */
    public static String credentialId(String parameter, String value) {
        return matching(parameter, value, CREDENTIAL_ID, "a credential id", "letters, digits, '.', '_' and '-', such as kubeadm-join-lab");
    }

    /** A present value that matches {@code pattern} whole; else "'value' is not {@code what}". */
    private static String matching(String parameter, String value, Pattern pattern, String what, String form) {
        String v = required(parameter, value, form);
        if (!pattern.matcher(v).matches()) {
            throw new ParameterException(parameter, "'" + value + "' is not " + what, form);
        }
        return v;
    }

    /** A TCP port, 1-65535. */
    public static int port(String parameter, String value) {
        String form = "a TCP port number 1-65535";
        String v = required(parameter, value, form);
        try {
            int p = Integer.parseInt(v);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ParameterException(parameter, "'" + value + "' is not a port", form);
    }

    /** Returns the address as an unsigned 32-bit value, or -1 when it is not a dotted quad. */
    static long parseIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        long result = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                return -1;
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                return -1;
            }
            result = (result << 8) | octet;
        }
        return result;
    }
}
