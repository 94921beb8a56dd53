package io.jenkins.plugins.kubeadm.core.nodes;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Finds values kubeadm needs unique (hostname, product_uuid, machine-id, MAC) that several nodes
 * share, and node clocks too far apart for certificates and bootstrap tokens to work.
 */
public final class IdentityCheck {

    /** More than this between two nodes' clocks fails prepareNode (k0sctl uses the same bound). */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(60);

    /** How a node gets a fresh machine-id; a cloned VM or copied image keeps its source's. */
    static final String FRESH_MACHINE_ID = "give each cloned node a fresh one as root: "
            + "rm -f /etc/machine-id /var/lib/dbus/machine-id && systemd-machine-id-setup, then reboot it";

    private IdentityCheck() {
    }

    /** One line per shared value, naming the value and every node that has it; empty when all differ. */
    public static List<String> duplicates(Map<String, NodeIdentity> identitiesByNode) {
        List<String> problems = new ArrayList<>();
        collect(problems, "hostname", identitiesByNode, id -> single(id.hostname() == null ? null : id.hostname().toLowerCase(Locale.ROOT)));
        collect(problems, "product_uuid", identitiesByNode, id -> single(id.productUuid()));
        int before = problems.size();
        collect(problems, "machine-id", identitiesByNode, id -> single(id.machineId()));
        for (int i = before; i < problems.size(); i++) {
            problems.set(i, problems.get(i) + "; " + FRESH_MACHINE_ID);
        }
        collect(problems, "MAC address", identitiesByNode, id -> id.macs().stream().map(m -> m.toLowerCase(Locale.ROOT)).toList());
        return problems;
    }

    /** Throws when {@link #duplicates} finds anything. */
    public static void requireUnique(Map<String, NodeIdentity> identitiesByNode) {
        List<String> problems = duplicates(identitiesByNode);
        if (!problems.isEmpty()) {
            throw new DuplicateNodeIdentityException(problems);
        }
    }

    /**
     * Compares the nodes' clocks. Each node's clock is taken relative to when its identity line
     * arrived here, so nodes that ran at different moments still compare fairly.
     *
     * @param receivedAt when each node's identity line arrived (this machine's clock)
     * @return one line naming every node and its clock, when two differ by more than {@link #MAX_CLOCK_SKEW}; else empty
     */
    public static List<String> clockSkew(Map<String, NodeIdentity> identitiesByNode, Map<String, Instant> receivedAt) {
        Map<String, Long> offsetMillis = new TreeMap<>();
        identitiesByNode.forEach((node, id) -> {
            Instant received = receivedAt.get(node);
            if (id.clock() != null && received != null) {
                offsetMillis.put(node, Duration.between(received, id.clock()).toMillis());
            }
        });
        if (offsetMillis.size() < 2) {
            return List.of();
        }
        long min = offsetMillis.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        long max = offsetMillis.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        if (max - min <= MAX_CLOCK_SKEW.toMillis()) {
            return List.of();
        }
        // Every clock as it read at one moment: the latest arrival.
        Instant reference = receivedAt.values().stream().max(Instant::compareTo).orElseThrow();
        List<String> clocks = new ArrayList<>();
        offsetMillis.forEach((node, offset) -> clocks.add(node + " " + reference.plusMillis(offset).truncatedTo(ChronoUnit.SECONDS)));
        return List.of("node clocks differ by " + Math.round((max - min) / 1000.0) + " s (at most "
                + MAX_CLOCK_SKEW.toSeconds() + " s allowed; certificates and bootstrap tokens fail otherwise): "
                + String.join(", ", clocks) + " (at the same moment); synchronize them with NTP, e.g. apt-get install "
                + "systemd-timesyncd or chrony");
    }

    /** Throws when {@link #clockSkew} finds the nodes' clocks too far apart. */
    public static void requireClocksInSync(Map<String, NodeIdentity> identitiesByNode, Map<String, Instant> receivedAt) {
        List<String> problems = clockSkew(identitiesByNode, receivedAt);
        if (!problems.isEmpty()) {
            throw new ClockSkewException(problems.get(0));
        }
    }

    private static List<String> single(String value) {
        return value == null ? List.of() : List.of(value);
    }

    private static void collect(List<String> problems, String what, Map<String, NodeIdentity> identities,
                                Function<NodeIdentity, List<String>> values) {
        Map<String, TreeSet<String>> nodesByValue = new LinkedHashMap<>();
        identities.forEach((node, id) -> values.apply(id).forEach(v -> nodesByValue.computeIfAbsent(v, k -> new TreeSet<>()).add(node)));
        nodesByValue.forEach((value, nodes) -> {
            if (nodes.size() > 1) {
                problems.add(what + " '" + value + "' is shared by nodes " + String.join(" and ", nodes)
                        + " (kubeadm needs it unique per node)");
            }
        });
    }

    /** Several nodes share a value kubeadm needs unique. */
    public static final class DuplicateNodeIdentityException extends IllegalStateException {
        private final List<String> problems;

        DuplicateNodeIdentityException(List<String> problems) {
            super("duplicate node identity: " + String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** The nodes' clocks are too far apart. */
    public static final class ClockSkewException extends IllegalStateException {
        ClockSkewException(String message) {
            super(message);
        }
    }
}
