package io.jenkins.plugins.kubeadm.core.params;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every default and supported-version table, read from {@code resources/kubeadm/scripts/lib/defaults.env},
 * the file the node scripts source: Java and bash cannot disagree on them.
 */
public final class Defaults {

    /** Where the file is on the classpath. */
    public static final String RESOURCE = "kubeadm/scripts/lib/defaults.env";
    private static final Pattern LINE = Pattern.compile("([A-Z][A-Z0-9_]*)=\"([^\"$`\\\\]*)\"");

    private static final Map<String, String> VALUES = read(RESOURCE);

    /** Kubernetes minors the steps support, oldest first. */
    public static final List<String> SUPPORTED_MINORS = words("SUPPORTED_KUBERNETES_MINORS");
    public static final String DEFAULT_MINOR = value("DEFAULT_KUBERNETES_MINOR");
    /** The day upstream's patch releases end for each minor. */
    public static final Map<String, LocalDate> END_OF_LIFE = pairs("KUBERNETES_END_OF_LIFE", LocalDate::parse);
    /** The sandbox image kubeadm of each minor expects. */
    public static final Map<String, String> PAUSE_IMAGES = pairs("PAUSE_IMAGES", image -> image);
    /** The first minor whose kubeadm reads the v1beta4 config API, as a number (31 for 1.31). */
    public static final int FIRST_V1BETA4_MINOR = Integer.parseInt(value("FIRST_V1BETA4_MINOR").substring(2));
    public static final String CONTAINERD_CRI_SOCKET = value("CONTAINERD_CRI_SOCKET");
    public static final String POD_NETWORK_CIDR = value("DEFAULT_POD_NETWORK_CIDR");
    public static final String SERVICE_CIDR = value("DEFAULT_SERVICE_CIDR");
    public static final String CONTROL_PLANE_LABEL = value("CONTROL_PLANE_LABEL");
    public static final String WORKER_LABEL = value("WORKER_LABEL");
    public static final String GPU_LABEL = value("GPU_LABEL");
    /** The image of verifyCluster's probe pods. */
    public static final String VERIFY_PROBE_IMAGE = value("VERIFY_PROBE_IMAGE");
    public static final int DRAIN_TIMEOUT_SECONDS = Integer.parseInt(value("DRAIN_TIMEOUT_SECONDS"));
    /** How long a node may take to turn Ready after it joined, or after upgradeCluster restarted its kubelet. */
    public static final int NODE_READY_TIMEOUT_SECONDS = Integer.parseInt(value("NODE_READY_TIMEOUT_SECONDS"));
    /** The loopback port of the haproxy each node runs with apiServerLoadBalancer haproxy. */
    public static final int LOCAL_API_LOAD_BALANCER_PORT = Integer.parseInt(value("LOCAL_API_LOAD_BALANCER_PORT"));

    private Defaults() {
    }

    /** Every KEY="value" line of a defaults file, in order; anything else but comments and blank lines is an error. */
    static Map<String, String> parse(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : text.split("\\R")) {
            lineNo++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(trimmed);
            if (!m.matches()) {
                throw new IllegalStateException(RESOURCE + " line " + lineNo + " is not KEY=\"value\" (no $, `, \\ or \" in a value)");
            }
            if (values.put(m.group(1), m.group(2)) != null) {
                throw new IllegalStateException(RESOURCE + " line " + lineNo + " sets " + m.group(1) + " a second time");
            }
        }
        return values;
    }

    /** A value of the file, for a key that must be there. */
    public static String value(String key) {
        String v = VALUES.get(key);
        if (v == null) {
            throw new IllegalStateException(RESOURCE + " has no " + key);
        }
        return v;
    }

    private static List<String> words(String key) {
        return List.copyOf(Arrays.asList(value(key).trim().split("\\s+")));
    }

    private static <V> Map<String, V> pairs(String key, java.util.function.Function<String, V> parse) {
        Map<String, V> map = new LinkedHashMap<>();
        for (String word : words(key)) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw new IllegalStateException(RESOURCE + ": " + key + " holds '" + word + "', not MINOR=VALUE");
            }
            map.put(word.substring(0, eq), parse.apply(word.substring(eq + 1)));
        }
        return Map.copyOf(map);
    }

    private static Map<String, String> read(String resource) {
        try (InputStream in = Defaults.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no " + resource + " on the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
