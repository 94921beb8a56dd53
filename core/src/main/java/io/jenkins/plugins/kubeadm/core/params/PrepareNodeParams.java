package io.jenkins.plugins.kubeadm.core.params;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parameters of prepareNode (resources/kubeadm/scripts/prepare-node.sh). {@link #of} validates them
 * before any node is touched; {@link #environment()} is what the script receives.
 */
public record PrepareNodeParams(String role, String hostname, List<String> clusterHosts, List<String> preflightIgnore) {

    public static final List<String> ROLES = List.of("control-plane", "worker");
    public static final List<String> PREFLIGHT_CHECKS = List.of("NumCPU", "Mem", "Systemd", "Cgroups", "Kmsg", "CgroupsWritable", "KernelSysctls");

    /**
     * @param role            control-plane or worker
     * @param hostname        optional hostname to set
     * @param clusterHosts    optional "IP NAME [NAME...]" lines for /etc/hosts
     * @param preflightIgnore optional comma list of checks to report as warnings
     */
    public static PrepareNodeParams of(String role, String hostname, String clusterHosts, String preflightIgnore) {
        String r = Validators.required("role", role, "control-plane | worker");
        if (!ROLES.contains(r)) {
            throw new ParameterException("role", "'" + role + "' is not a role", "control-plane | worker");
        }
        String h = hostname == null || hostname.isBlank() ? null : Validators.hostname("hostname", hostname);
        List<String> hosts = new ArrayList<>();
        if (clusterHosts != null) {
            int lineNo = 0;
            for (String line : clusterHosts.split("\\R")) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.trim().split("\\s+");
                String form = "lines of 'IP NAME [NAME...]' such as '192.168.1.10 nuc01'";
                if (fields.length < 2) {
                    throw new ParameterException("clusterHosts", "line " + lineNo + " has no name", form);
                }
                try {
                    Validators.ipv4("clusterHosts", fields[0]);
                    for (int i = 1; i < fields.length; i++) {
                        Validators.hostname("clusterHosts", fields[i]);
                    }
                } catch (ParameterException e) {
                    throw new ParameterException("clusterHosts", "line " + lineNo + ": " + e.getMessage().replaceFirst("^clusterHosts: ", ""), form);
                }
                hosts.add(String.join(" ", fields));
            }
        }
        List<String> ignore = new ArrayList<>();
        if (preflightIgnore != null) {
            for (String check : preflightIgnore.split(",")) {
                String c = check.trim();
                if (c.isEmpty()) {
                    continue;
                }
                boolean known = c.equalsIgnoreCase("all") || c.toLowerCase(Locale.ROOT).matches("port-\\d{1,5}")
                        || PREFLIGHT_CHECKS.stream().anyMatch(c::equalsIgnoreCase);
                if (!known) {
                    throw new ParameterException("preflightIgnore", "unknown check '" + c + "'",
                            "a comma list of " + String.join(", ", PREFLIGHT_CHECKS) + ", Port-<n>, all");
                }
                ignore.add(c);
            }
        }
        return new PrepareNodeParams(r, h, List.copyOf(hosts), List.copyOf(ignore));
    }

    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NODE_ROLE", role);
        if (hostname != null) {
            env.put("NODE_HOSTNAME", hostname);
        }
        if (!clusterHosts.isEmpty()) {
            env.put("CLUSTER_HOSTS", String.join("\n", clusterHosts));
        }
        if (!preflightIgnore.isEmpty()) {
            env.put("PREFLIGHT_IGNORE", String.join(",", preflightIgnore));
        }
        return env;
    }
}
