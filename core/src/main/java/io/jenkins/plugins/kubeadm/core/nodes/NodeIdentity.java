package io.jenkins.plugins.kubeadm.core.nodes;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What prepare-node.sh reports about a machine on its {@value #MARKER} line. kubeadm needs hostname,
 * MAC addresses and product_uuid to be unique across nodes; "-" means the node has no such value.
 * {@code clock} is the node's time when it printed the line (null from a script that does not report it).
 */
public record NodeIdentity(String hostname, String productUuid, String machineId, List<String> macs, String primaryIp,
                           Instant clock) {

    public NodeIdentity(String hostname, String productUuid, String machineId, List<String> macs, String primaryIp) {
        this(hostname, productUuid, machineId, macs, primaryIp, null);
    }

    public static final String MARKER = "KUBEADM_NODE_IDENTITY";

    /** Parses a {@value #MARKER} line; empty for any other line. */
    public static Optional<NodeIdentity> parse(String line) {
        if (line == null || !line.startsWith(MARKER + " ")) {
            return Optional.empty();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String token : line.substring(MARKER.length() + 1).trim().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                fields.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        String macs = value(fields.get("macs"));
        return Optional.of(new NodeIdentity(
                value(fields.get("hostname")),
                value(fields.get("product_uuid")),
                value(fields.get("machine_id")),
                macs == null ? List.of() : List.of(macs.split(",")),
                value(fields.get("primary_ip")),
                epochSeconds(value(fields.get("clock")))));
    }

    private static Instant epochSeconds(String raw) {
        if (raw == null || !raw.matches("\\d{1,12}")) {
            return null;
        }
        return Instant.ofEpochSecond(Long.parseLong(raw));
    }

    private static String value(String raw) {
        return raw == null || raw.isEmpty() || raw.equals("-") ? null : raw;
    }
}
