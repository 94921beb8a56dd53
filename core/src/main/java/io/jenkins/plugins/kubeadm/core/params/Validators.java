package io.jenkins.plugins.kubeadm.core.params;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one place where user-supplied values are checked. Every method returns the normalised value
 * or throws {@link ParameterException} naming the parameter and the accepted form.
 */
public final class Validators {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern KUBERNETES_VERSION = Pattern.compile("v?(1)\\.(\\d{1,2})(?:\\.(\\d{1,3}))?");
    private static final Pattern ADDON_VERSION = Pattern.compile("v?(\\d{1,4}\\.\\d{1,4}\\.\\d{1,4})");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");

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
        String form = "upper-case letters, digits and '_', not starting with a digit";
        String v = required(parameter, value, form);
        if (!ENV_NAME.matcher(v).matches()) {
            throw new ParameterException(parameter, "'" + value + "' is not an environment variable name", form);
        }
        return v;
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
