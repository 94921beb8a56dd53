package io.jenkins.plugins.kubeadm.core.cli;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.HostKeyPolicy;
import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.ConsoleLineSink;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.phases.Phase;
import io.jenkins.plugins.kubeadm.core.plan.ClusterRun;
import io.jenkins.plugins.kubeadm.core.plan.KubeadmClusterPlan;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * kubeadmCluster without Jenkins: the same plan (core's {@link KubeadmClusterPlan}, the same phases
 * in the same order) on the nodes of an inventory over SSH, with each step's log under
 * DIR/kubeadm-logs/. Exit status: 0 done, 1 a step failed, 2 bad input.
 */
public final class KubeadmClusterCli {

    /** kubeadmCluster's parameters that only mean something in Jenkins, or that the options below replace. */
    private static final Set<String> JENKINS_ONLY = Set.of("inventory", "inventoryFile", "sshCredentialsId", "knownHostsFile",
            "knownHostsCredentialsId", "acceptAnyHostKey", "controlPlaneLabel", "workerLabel", "gpuLabel", "kubeconfigCredentialsId",
            "joinCredentialsId", "workloadManifest", "workloadManifestText");

    /** Options of this runner's own. */
    private static final Set<String> OWN = Set.of("--inventory", "--identity", "--known-hosts", "--log-dir", "--timeout-minutes",
            "--phases", "--workload-manifest");

    static final String USAGE = String.join("\n",
            "Usage: KubeadmClusterCli --inventory FILE --identity KEY (--known-hosts FILE | --insecure-accept-any-host-key)",
            "         [--phases " + String.join(",", Phase.ORDER.stream().map(Phase::id).toList()) + "]",
            "         [--log-dir DIR (default .)] [--timeout-minutes 20] [--workload-manifest FILE] [kubeadmCluster's parameters]",
            "Inventory: " + Inventory.FORM + ".",
            "kubeadmCluster's parameters, as options (a flag alone for a boolean):",
            wrapped(clusterOptions()),
            "Runs the phases kubeadmCluster would (or those --phases names), in the one phase order.");

    record Options(Inventory inventory, Path identity, HostKeyPolicy hostKeys, KubeadmClusterPlan plan, List<Phase> phases, Path logDir,
                   Duration timeout) {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs with the given console streams; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("ERROR: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        SecretRedactor redactor = new SecretRedactor();
        ConsoleLineSink console = new ConsoleLineSink(out, redactor);
        Map<String, SshScriptRunner> runners = new LinkedHashMap<>();
        StepLogs stepLogs = new StepLogs(options.logDir(), redactor);
        try {
            for (Inventory.Entry e : options.inventory().nodes()) {
                runners.put(e.name(), new SshScriptRunner(new NodeTarget(e.name(), e.host(), e.port(), e.user(), options.identity(),
                        options.hostKeys())));
            }
            try (ClusterRun run = new ClusterRun(options.plan(), options.inventory(), runners, stepLogs, console,
                    line -> out.println(redactor.redact(line)), options.timeout(), Cancellation.none())) {
                run.run(options.phases());
            }
            out.println("Done: " + String.join(", ", options.phases().stream().map(Phase::step).toList()) + "; logs in "
                    + stepLogs.root().toAbsolutePath().normalize());
            return 0;
        } catch (RuntimeException e) {
            err.println("ERROR: " + redactor.redact(String.valueOf(e.getMessage())));
            return 1;
        } finally {
            console.finish();
            for (SshScriptRunner r : runners.values()) {
                try {
                    r.close();
                } catch (IOException ignored) {
                    // closing an SSH client
                }
            }
        }
    }

    static Options parse(String[] args) {
        Map<String, String> own = new LinkedHashMap<>();
        Map<String, Object> cluster = new LinkedHashMap<>();
        boolean insecure = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String parameter = a.startsWith("--") ? parameterOf(a) : null;
            if (a.equals("--insecure-accept-any-host-key")) {
                insecure = true;
            } else if (OWN.contains(a) && i + 1 < args.length) {
                own.put(a, args[++i]);
            } else if (parameter != null && KubeadmClusterPlan.isBoolean(parameter)) {
                cluster.put(parameter, true);
            } else if (parameter != null && i + 1 < args.length) {
                String value = args[++i];
                cluster.put(parameter, KubeadmClusterPlan.isInteger(parameter) ? integer(a, value) : value);
            } else {
                throw new ParameterException(a, "is not an option or lacks its value", "the options in the usage below");
            }
        }
        Inventory inventory = Inventory.parse(read("--inventory", own.get("--inventory")));
        String identity = own.get("--identity");
        if (identity == null || !Files.isReadable(Path.of(identity))) {
            throw new ParameterException("--identity", "is missing or not a readable file", "the path of an SSH private key");
        }
        if (own.containsKey("--known-hosts") == insecure) {
            throw new ParameterException("--known-hosts", "choose exactly one host key policy",
                    "--known-hosts FILE, or --insecure-accept-any-host-key for a throw-away lab");
        }
        HostKeyPolicy hostKeys = insecure ? new HostKeyPolicy.InsecureAcceptAny() : new HostKeyPolicy.KnownHosts(Path.of(own.get("--known-hosts")));
        if (own.containsKey("--workload-manifest")) {
            cluster.put("workloadManifestText", read("--workload-manifest", own.get("--workload-manifest")));
        }
        KubeadmClusterPlan plan = KubeadmClusterPlan.of(cluster);
        List<Phase> phases = plan.phases();
        if (own.containsKey("--phases")) {
            phases = new ArrayList<>();
            for (String id : own.get("--phases").split(",")) {
                phases.add(Phase.ofId(id.trim()));
            }
        }
        ClusterRun.checkPhases(phases);
        if (phases.contains(Phase.WORKLOAD) && !cluster.containsKey("workloadManifestText")) {
            throw new ParameterException("--phases", "has workload without --workload-manifest", "--workload-manifest FILE with workload");
        }
        int minutes = integer("--timeout-minutes", own.getOrDefault("--timeout-minutes", "20"));
        if (minutes < 1 || minutes > 240) {
            throw new ParameterException("--timeout-minutes", "is not 1-240", "minutes per step, e.g. 20");
        }
        return new Options(inventory, Path.of(identity), hostKeys, plan, List.copyOf(phases), Path.of(own.getOrDefault("--log-dir", ".")),
                Duration.ofMinutes(minutes));
    }

    /** kubeadmCluster's parameter for an option: --kubernetes-version is kubernetesVersion; null for none. */
    static String parameterOf(String option) {
        for (String parameter : KubeadmClusterPlan.ACCEPTED) {
            if (!JENKINS_ONLY.contains(parameter) && optionOf(parameter).equals(option)) {
                return parameter;
            }
        }
        return null;
    }

    /** --kubernetes-version for kubernetesVersion. */
    static String optionOf(String parameter) {
        return "--" + parameter.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    private static List<String> clusterOptions() {
        List<String> options = new ArrayList<>();
        for (String parameter : KubeadmClusterPlan.ACCEPTED) {
            if (!JENKINS_ONLY.contains(parameter)) {
                options.add(optionOf(parameter) + (KubeadmClusterPlan.isBoolean(parameter) ? "" : " V"));
            }
        }
        return options;
    }

    /** The options as indented lines of at most about 100 characters. */
    private static String wrapped(List<String> options) {
        StringBuilder text = new StringBuilder("  ");
        int lineStart = 0;
        for (String option : options) {
            if (text.length() - lineStart + option.length() > 100) {
                text.setLength(text.length() - 1);
                text.append("\n  ");
                lineStart = text.length() - 2;
            }
            text.append(option).append(' ');
        }
        return text.toString().stripTrailing();
    }

    private static int integer(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ParameterException(option, "'" + value + "' is not a whole number", "a number such as 20");
        }
    }

    private static String read(String option, String file) {
        if (file == null) {
            throw new ParameterException(option, "is required", "a file path");
        }
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new ParameterException(option, "cannot read " + file, "a readable file");
        }
    }
}
