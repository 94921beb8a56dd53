package io.jenkins.plugins.kubeadm.core.secrets;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code host:port} a joining node contacts: an IPv4 address, a bracketed IPv6 address or a DNS
 * name, and a port from 1 to 65535. Not secret, yet error messages still leave the value out: in a
 * garbled join command the word standing where the endpoint belongs may be the token.
 */
public record ApiServerEndpoint(String host, int port) {

    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern BOOTSTRAP_TOKEN = Pattern.compile("[a-z0-9]{6}\\.[a-z0-9]{16}", Pattern.CASE_INSENSITIVE);
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    private static final String FORM = "host:port with an IPv4 address, [IPv6] address or DNS name and a port 1-65535";

    public ApiServerEndpoint {
        if (host == null || !(isIpv4(host) || isIpv6(host) || isDnsName(host)) || BOOTSTRAP_TOKEN.matcher(host).matches()) {
            throw new JoinCommandException("API server endpoint host is not an IPv4 address, IPv6 address or DNS name");
        }
        if (port < 1 || port > 65535) {
            throw new JoinCommandException("API server endpoint port is not in 1-65535");
        }
        // Host names and hex digits compare case-insensitively; lower-case keeps equal endpoints equal records.
        host = host.toLowerCase(Locale.ROOT);
    }

    /** Parses {@code 192.168.1.10:6443}, {@code [fd00::10]:6443} or {@code cp.example.org:6443}. */
    public static ApiServerEndpoint parse(String endpoint) {
        if (endpoint == null || endpoint.isEmpty()) {
            throw new JoinCommandException("API server endpoint is missing (expected " + FORM + ")");
        }
        String host;
        String port;
        if (endpoint.startsWith("[")) {
            int close = endpoint.indexOf(']');
            if (close < 0 || close + 1 >= endpoint.length() || endpoint.charAt(close + 1) != ':') {
                throw new JoinCommandException("API server endpoint is not [IPv6]:port (expected " + FORM + ")");
            }
            host = endpoint.substring(1, close);
            port = endpoint.substring(close + 2);
            if (!isIpv6(host)) {
                throw new JoinCommandException("API server endpoint has an invalid IPv6 address (expected " + FORM + ")");
            }
        } else {
            int colon = endpoint.lastIndexOf(':');
            if (colon < 0) {
                throw new JoinCommandException("API server endpoint has no port (expected " + FORM + ")");
            }
            host = endpoint.substring(0, colon);
            port = endpoint.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new JoinCommandException("API server endpoint has an IPv6 address without [brackets] (expected " + FORM + ")");
            }
            if (BOOTSTRAP_TOKEN.matcher(host).matches()) {
                // A legal DNS name, but far likelier a garbled command; refused so toString cannot print a token.
                throw new JoinCommandException("API server endpoint host has the form of a bootstrap token");
            }
            if (!isIpv4(host) && !isDnsName(host)) {
                throw new JoinCommandException("API server endpoint host is not an IPv4 address or DNS name (expected " + FORM + ")");
            }
        }
        if (!DIGITS.matcher(port).matches() || port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new JoinCommandException("API server endpoint port is not a number in 1-65535");
        }
        return new ApiServerEndpoint(host, Integer.parseInt(port));
    }

    /** The form kubeadm takes: IPv6 addresses in brackets. */
    @Override
    public String toString() {
        return (isIpv6(host) ? "[" + host + "]" : host) + ":" + port;
    }

    /** Dotted quad without leading zeros (Go's net.ParseIP, which kubeadm uses, rejects them). */
    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (!DIGITS.matcher(part).matches() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** RFC 4291 text form, with at most one "::" and an optional trailing dotted quad; no zone id. */
    static boolean isIpv6(String s) {
        if (s.isEmpty() || s.length() > 45 || s.indexOf(':') < 0 || s.contains(":::")) {
            return false;
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        int groups;
        if (gap < 0) {
            groups = countGroups(s, true);
            return groups == 8;
        }
        String left = s.substring(0, gap);
        String right = s.substring(gap + 2);
        int leftGroups = left.isEmpty() ? 0 : countGroups(left, false);
        int rightGroups = right.isEmpty() ? 0 : countGroups(right, true);
        return leftGroups >= 0 && rightGroups >= 0 && leftGroups + rightGroups <= 7;
    }

    /** Number of 16-bit groups (a trailing dotted quad counts two), or -1 when a group is malformed. */
    private static int countGroups(String s, boolean mayEndWithIpv4) {
        String[] parts = s.split(":", -1);
        int count = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (HEX_GROUP.matcher(part).matches()) {
                count++;
            } else if (mayEndWithIpv4 && i == parts.length - 1 && isIpv4(part)) {
                count += 2;
            } else {
                return -1;
            }
        }
        return count;
    }

    /** RFC 1123 host name; an all-numeric last label is refused so that a mistyped IPv4 address is not taken for a name. */
    static boolean isDnsName(String s) {
        if (s.isEmpty() || s.length() > 253) {
            return false;
        }
        String[] labels = s.split("\\.", -1);
        for (String label : labels) {
            if (!DNS_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return !DIGITS.matcher(labels[labels.length - 1]).matches();
    }
}
