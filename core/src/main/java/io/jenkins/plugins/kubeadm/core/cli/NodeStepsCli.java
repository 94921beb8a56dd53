package io.jenkins.plugins.kubeadm.core.cli;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.HostKeyPolicy;
import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.ConsoleLineSink;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.nodes.NodeIdentity;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.nodes.ParallelStepRunner;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the node steps (prepareNode, then installRuntime) on every node of an inventory over SSH,
 * as a pipeline does, with each step's log under DIR/kubeadm-logs/. For machines without Jenkins and
 * for trying the scripts on a lab. Exit status: 0 done, 1 a step failed, 2 bad input.
 */
public final class NodeStepsCli {

    static final String USAGE = String.join("\n",
            "Usage: NodeStepsCli --inventory FILE --identity KEY (--known-hosts FILE | --insecure-accept-any-host-key)",
            "                    [--kubernetes-version 1.35] [--pause-image IMAGE] [--apt-repo URL] [--apt-key-url URL]",
            "                    [--preflight-ignore CHECKS] [--log-dir DIR (default .)] [--timeout-minutes 20]",
            "Inventory: " + Inventory.FORM + ".",
            "Runs prepareNode then installRuntime on all nodes in parallel.");

    record Options(Inventory inventory, Path identity, HostKeyPolicy hostKeys, InstallRuntimeParams runtime,
                   String preflightIgnore, Path logDir, Duration timeout) {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs with the given console streams; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = parse(args);
        } catch (ParameterException e) {
            err.println("ERROR: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        SecretRedactor redactor = new SecretRedactor();
        ConsoleLineSink console = new ConsoleLineSink(out, redactor);
        List<ScriptRunner> runners = new ArrayList<>();
        StepLogs stepLogs = new StepLogs(options.logDir(), redactor);
        try (KubeadmSteps steps = new KubeadmSteps(stepLogs, console, options.timeout(), Cancellation.none())) {
            for (Inventory.Entry e : options.inventory().nodes()) {
                runners.add(new SshScriptRunner(new NodeTarget(e.name(), e.host(), e.port(), e.user(), options.identity(), options.hostKeys())));
            }
            Map<String, String> roles = new LinkedHashMap<>();
            options.inventory().nodes().forEach(e -> roles.put(e.name(), e.role()));
            String hosts = options.inventory().clusterHosts();
            Map<String, NodeIdentity> ids = steps.prepareNodes(runners,
                    node -> PrepareNodeParams.of(roles.get(node), node, hosts, options.preflightIgnore()));
            ids.forEach((node, id) -> out.println("[" + node + "] identity ok: " + id.hostname() + " " + id.primaryIp()));
            steps.installRuntime(runners, options.runtime());
            out.println("All nodes prepared; logs in " + stepLogs.root().toAbsolutePath().normalize());
            return 0;
        } catch (RuntimeException e) {
            err.println("ERROR: " + redactor.redact(String.valueOf(e.getMessage())));
            return 1;
        } finally {
            console.finish();
            for (ScriptRunner r : runners) {
                try {
                    r.close();
                } catch (IOException ignored) {
                    // closing an SSH client
                }
            }
        }
    }

    static Options parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        boolean insecure = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--insecure-accept-any-host-key")) {
                insecure = true;
            } else if (a.startsWith("--") && i + 1 < args.length && OPTIONS.contains(a)) {
                values.put(a, args[++i]);
            } else {
                throw new ParameterException(a, "is not an option or lacks its value", "the options in the usage below");
            }
        }
        Inventory inventory = Inventory.parse(read("--inventory", values.get("--inventory")));
        String identity = values.get("--identity");
        if (identity == null || !Files.isReadable(Path.of(identity))) {
            throw new ParameterException("--identity", "is missing or not a readable file", "the path of an SSH private key");
        }
        HostKeyPolicy hostKeys;
        if (values.containsKey("--known-hosts") == insecure) {
            throw new ParameterException("--known-hosts", "choose exactly one host key policy",
                    "--known-hosts FILE, or --insecure-accept-any-host-key for a throw-away lab");
        }
        hostKeys = insecure ? new HostKeyPolicy.InsecureAcceptAny() : new HostKeyPolicy.KnownHosts(Path.of(values.get("--known-hosts")));
        InstallRuntimeParams runtime = InstallRuntimeParams.of(values.get("--kubernetes-version"), values.get("--pause-image"),
                values.get("--apt-repo"), values.get("--apt-key-url"));
        String ignore = values.get("--preflight-ignore");
        PrepareNodeParams.of("worker", null, null, ignore); // validates the list before any node is touched
        int minutes;
        try {
            minutes = Integer.parseInt(values.getOrDefault("--timeout-minutes", "20"));
        } catch (NumberFormatException e) {
            minutes = -1;
        }
        if (minutes < 1 || minutes > 240) {
            throw new ParameterException("--timeout-minutes", "is not 1-240", "minutes per step, e.g. 20");
        }
        return new Options(inventory, Path.of(identity), hostKeys, runtime, ignore,
                Path.of(values.getOrDefault("--log-dir", ".")), Duration.ofMinutes(minutes));
    }

    private static final Set<String> OPTIONS = Set.of("--inventory", "--identity", "--known-hosts", "--kubernetes-version",
            "--pause-image", "--apt-repo", "--apt-key-url", "--preflight-ignore", "--log-dir", "--timeout-minutes");

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
