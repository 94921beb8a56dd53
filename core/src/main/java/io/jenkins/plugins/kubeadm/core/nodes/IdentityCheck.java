package io.jenkins.plugins.kubeadm.core.nodes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/** Finds values kubeadm needs unique (hostname, product_uuid, machine-id, MAC) that several nodes share. */
public final class IdentityCheck {

    private IdentityCheck() {
    }

    /** One line per shared value, naming the value and every node that has it; empty when all differ. */
    public static List<String> duplicates(Map<String, NodeIdentity> identitiesByNode) {
        List<String> problems = new ArrayList<>();
        collect(problems, "hostname", identitiesByNode, id -> single(id.hostname() == null ? null : id.hostname().toLowerCase(Locale.ROOT)));
        collect(problems, "product_uuid", identitiesByNode, id -> single(id.productUuid()));
        collect(problems, "machine-id", identitiesByNode, id -> single(id.machineId()));
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
}
