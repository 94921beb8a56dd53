package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.CollectedRun;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.exec.StepScript;
import io.jenkins.plugins.kubeadm.core.logs.StepLogSink;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import io.jenkins.plugins.kubeadm.core.params.KubernetesUpgrade;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.params.UpgradeClusterParams;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommandException;
import io.jenkins.plugins.kubeadm.core.secrets.JoinSecrets;
import io.jenkins.plugins.kubeadm.core.secrets.RedactingLineSink;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every node step on real nodes, each node's output in its step log: prepareNode, installRuntime,
 * kubeadmInit, joinWorkers, resetNode and the node side of installGpuPlugin. The phases in
 * core/phases (which the plugin, the command-line runner and the tests run) reach nodes through this
 * class; {@link NodeSteps} holds the fan-out of the steps that need no secret.
 *
 * <p>The join secret never passes through a log: the bootstrap token is made here and registered
 * with the run's {@link SecretRedactor} before any node sees it, reaches the control plane as a
 * root-only private file, and the join command comes back as a result file
 * ({@link ScriptRunner#runAndCollect}), held in memory only, and goes to each worker as a private
 * file again. Every step's output lands in {@code kubeadm-logs/<node>/<NN>-<step>.log} through the
 * redactor; a failed step's log ends with the diagnostics the script appended.
 */
public final class KubeadmSteps implements AutoCloseable {

    public static final String INIT_STEP = "kubeadm-init";
    public static final String JOIN_STEP = "kubeadm-join";
    public static final String RESET_STEP = "reset-node";
    public static final String DELETE_TOKEN_STEP = "delete-join-token";
    public static final String PREPARE_STEP = "prepare-node";
    public static final String RUNTIME_STEP = "install-runtime";
    public static final String GPU_NODE_STEP = "gpu-node";
    /** How long a worker's kubeadm keeps trying to validate the API server with the token. */
    public static final Duration DEFAULT_DISCOVERY_TIMEOUT = Duration.ofMinutes(1);

    static final String JOIN_TOKEN_FILE = "JOIN_TOKEN_FILE";
    static final String JOIN_COMMAND_FILE = "JOIN_COMMAND_FILE";
    static final String CERTIFICATE_KEY_FILE = "CERTIFICATE_KEY_FILE";
    static final String LOAD_BALANCER_RESULT = "KUBEADM_LOAD_BALANCER_RESULT";
    public static final String LOAD_BALANCER_STEP = "api-load-balancer";
    public static final String ETCD_STEP = "etcd-members";
    static final String ETCD_MEMBERS_RESULT = "ETCD_MEMBERS_RESULT";
    static final String ETCD_HEALTH = "KUBEADM_ETCD_HEALTH";
    static final String INIT_RESULT = "KUBEADM_INIT_RESULT";
    static final String JOIN_RESULT = "KUBEADM_JOIN_RESULT";
    static final String TOKEN_DELETE_RESULT = "KUBEADM_TOKEN_DELETE_RESULT";
    static final String NODE_NAME_RESULT = "KUBEADM_NODE_NAME";
    static final String CERTS_RESULT = "KUBEADM_CERTS_RESULT";
    static final String UPGRADE_RESULT = "KUBEADM_UPGRADE_RESULT";
    public static final String CERTS_STEP = "renew-certificates";
    public static final String NODE_NAME_STEP = "node-name";
    private static final java.util.regex.Pattern NODE_NAME = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final java.util.regex.Pattern TOKEN_ID = java.util.regex.Pattern.compile("[a-z0-9]{6}");
    /** The scripts print this line, then their diagnostics, when a step fails. */
    static final String DIAGNOSTICS_MARKER = "==> diagnostics";

    /** The control plane after kubeadmInit. {@code joinCommand} is SECRET (its toString is redacted). */
    public record InitResult(String node, boolean initialized, String apiServerEndpoint, String caCertHash,
                             String kubernetesVersion, JoinCommand joinCommand) {
    }

    /** A worker after joinWorkers: the API server and CA it now trusts; {@code joined} is false when it already was. */
    public record JoinResult(String node, boolean joined, String apiServerEndpoint, String caCertHash) {
    }

    /**
     * What node-name.sh says of a node, checked on the way in: its Kubernetes Node name, whether it
     * joined a cluster, whether it runs a control plane, and the IPv4 address its API server
     * advertises (or would: its default route's), null when it has none.
     */
    public record NodeDescription(String node, String kubernetesName, boolean joined, boolean controlPlane, String address) {
    }

    private final StepLogs logs;
    private final StepLogSink logSink;
    private final LineSink console;
    private final Duration timeout;
    private final Cancellation cancellation;

    /**
     * @param logs    where step logs go; its redactor masks every log and the console
     * @param console where the output is echoed as well (redacted here), e.g. the build console
     * @param timeout for each step on each node
     */
    public KubeadmSteps(StepLogs logs, LineSink console, Duration timeout, Cancellation cancellation) {
        this.logs = Objects.requireNonNull(logs, "logs");
        this.logSink = new StepLogSink(logs, console);
        this.console = new RedactingLineSink(Objects.requireNonNull(console, "console"), logs.redactor());
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.cancellation = Objects.requireNonNull(cancellation, "cancellation");
    }

    /**
     * prepareNode on every node, then the cross-node identity check, each node's step log recording
     * its outcome.
     *
     * @return each node's identity, by node name
     * @throws ParallelStepRunner.StepFailedException       when the script failed on a node
     * @throws IdentityCheck.DuplicateNodeIdentityException when nodes share a hostname, product_uuid, machine-id or MAC
     * @throws IdentityCheck.ClockSkewException             when two nodes' clocks differ by more than 60 s
     */
    public Map<String, NodeIdentity> prepareNodes(List<? extends ScriptRunner> nodes, Function<String, PrepareNodeParams> paramsFor) {
        return logged(nodes, PREPARE_STEP, () -> NodeSteps.prepareNodes(nodes, paramsFor, logSink, timeout, cancellation));
    }

    /** installRuntime on every node with the same parameters (a cluster runs one Kubernetes version). */
    public List<NodeStepResult> installRuntime(List<? extends ScriptRunner> nodes, InstallRuntimeParams params) {
        return logged(nodes, RUNTIME_STEP, () -> NodeSteps.installRuntime(nodes, params, logSink, timeout, cancellation));
    }

    /** The node side of installGpuPlugin on every GPU node, as {@link NodeSteps#gpuNodes} describes it. */
    public List<NodeStepResult> gpuNodes(List<? extends ScriptRunner> nodes, String minDriverVersion, String runtimeMode) {
        return logged(nodes, GPU_NODE_STEP, () -> NodeSteps.gpuNodes(nodes, minDriverVersion, runtimeMode, logSink, timeout, cancellation));
    }

    /**
     * Runs a step whose failures come as {@link ParallelStepRunner.StepFailedException}: opens each
     * node's log for it, then records success, or the failure with its reason, per node. Any other
     * exception fails every node's log with its message.
     */
    private <T> T logged(List<? extends ScriptRunner> runners, String step, Supplier<T> action) {
        List<String> nodes = runners.stream().map(ScriptRunner::nodeName).toList();
        nodes.forEach(node -> logSink.beginStep(node, step));
        try {
            T result = action.get();
            nodes.forEach(logSink::succeedStep);
            return result;
        } catch (ParallelStepRunner.StepFailedException e) {
            Set<String> failed = new HashSet<>();
            for (NodeStepResult r : e.failed()) {
                failed.add(r.node());
                logSink.failStep(r.node(), r.describe(), "");
            }
            nodes.stream().filter(node -> !failed.contains(node)).forEach(logSink::succeedStep);
            throw e;
        } catch (RuntimeException e) {
            nodes.forEach(node -> logSink.failStep(node, String.valueOf(e.getMessage()), ""));
            throw e;
        }
    }

    /**
     * Deletes a bootstrap token on the control plane ({@code kubeadm token delete}), e.g. after the
     * last worker joined. Only the token's public id travels (as JOIN_TOKEN_ID); a token already
     * gone is fine.
     *
     * @param tokenId the 6-character id before the dot, never the whole token
     * @return true when it deleted the token, false when the token was already gone
     * @throws ParallelStepRunner.StepFailedException when the control plane cannot delete it
     */
    public boolean deleteJoinToken(ScriptRunner controlPlane, String tokenId) {
        if (tokenId == null || !TOKEN_ID.matcher(tokenId).matches()) {
            // Never echo the value: a caller may have passed the whole token by mistake.
            throw new IllegalArgumentException("tokenId must be the 6-character id of a bootstrap token ([a-z0-9]{6}), not the whole token");
        }
        String node = controlPlane.nodeName();
        StepRequest request = StepRequest.of(StepScript.load("delete-join-token.sh"), Map.of("JOIN_TOKEN_ID", tokenId));
        StepOutput output = new StepOutput(TOKEN_DELETE_RESULT);
        logSink.beginStep(node, DELETE_TOKEN_STEP);
        List<NodeStepResult> results = ParallelStepRunner.run(List.of(controlPlane), n -> request, output, timeout, cancellation,
                logs.redactor()::redact);
        boolean deleted = "deleted".equals(output.result(node).get("state"));
        if (results.get(0).succeeded()) {
            logSink.line(node, LineSink.Stream.STDOUT, deleted
                    ? "join token " + tokenId + " deleted: it can add no more nodes to the cluster"
                    : "join token " + tokenId + " was already gone (deleted or expired)");
        }
        output.finish(results);
        ParallelStepRunner.requireSuccess("deleteJoinToken", results);
        return deleted;
    }

    /**
     * kubeadmInit on the control-plane node: initializes it (or leaves a control plane with the same
     * settings alone) and creates a fresh join token.
     *
     * @throws ParallelStepRunner.StepFailedException when the script fails or hands back no usable join command
     */
    public InitResult kubeadmInit(ScriptRunner controlPlane, KubeadmInitParams params) {
        return kubeadmInit(controlPlane, params, null);
    }

    /**
     * kubeadmInit that also uploads the control-plane certificates, encrypted with {@code certificateKey}
     * (SECRET, registered with the redactor here; it reaches the node as a root-only file), for the
     * other control planes to join with; a control plane left as it was uploads them again.
     *
     * @param certificateKey from {@link JoinSecrets#newCertificateKey()}; null uploads nothing
     */
    public InitResult kubeadmInit(ScriptRunner controlPlane, KubeadmInitParams params, String certificateKey) {
        String node = controlPlane.nodeName();
        String token = JoinSecrets.newBootstrapToken();
        logs.redactor().addAll(JoinSecrets.tokenRedactionForms(token));
        byte[] tokenFile = (token + "\n").getBytes(StandardCharsets.US_ASCII);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(JOIN_TOKEN_FILE, tokenFile);
        byte[] keyFile = null;
        if (certificateKey != null) {
            logs.redactor().addAll(JoinSecrets.redactionForms(certificateKey));
            keyFile = (certificateKey + "\n").getBytes(StandardCharsets.US_ASCII);
            files.put(CERTIFICATE_KEY_FILE, keyFile);
        }
        StepRequest request = new StepRequest(StepScript.load("kubeadm-init.sh"), params.environment(), files, Set.of(JOIN_COMMAND_FILE));
        StepOutput output = new StepOutput(INIT_RESULT);
        logSink.beginStep(node, INIT_STEP);
        CollectedRun run = null;
        try {
            NodeStepResult result;
            try {
                // Masked before StepOutput keeps error lines or diagnostics, as ParallelStepRunner does for the others.
                run = controlPlane.runAndCollect(request, new RedactingLineSink(output, logs.redactor()), timeout, cancellation);
                result = new NodeStepResult(node, run.result(), null, output.lastError(node));
            } catch (IOException e) {
                result = new NodeStepResult(node, null, e.getMessage(), null);
            }
            if (!result.succeeded()) {
                throw output.fail(List.of(result), "kubeadmInit");
            }
            Map<String, String> reported = output.result(node);
            String problem = null;
            JoinCommand joinCommand = null;
            try {
                joinCommand = JoinCommand.parse(new String(run.file(JOIN_COMMAND_FILE), StandardCharsets.UTF_8));
                logs.redactor().addAll(joinCommand.secrets());
                if (!joinCommand.token().equals(token)) {
                    problem = "the join command does not carry the token this run created";
                } else if (reported.isEmpty()) {
                    problem = "the script printed no " + INIT_RESULT + " line";
                } else if (certificateKey != null && !"true".equals(reported.get("certificates_uploaded"))) {
                    problem = "the control-plane certificates were not uploaded for the other control planes";
                } else if (!joinCommand.caCertHashes().contains(reported.getOrDefault("ca_cert_hash", ""))
                        || !joinCommand.apiServerEndpoint().toString().equalsIgnoreCase(reported.getOrDefault("endpoint", ""))) {
                    problem = "the join command names another API server or CA than the control plane reported";
                }
            } catch (JoinCommandException e) {
                problem = "no usable join command came back: " + e.getMessage();
            }
            if (problem != null) {
                throw output.fail(List.of(new NodeStepResult(node, run.result(), problem, null)), "kubeadmInit");
            }
            output.succeed(node);
            return new InitResult(node, "initialized".equals(reported.get("state")), reported.get("endpoint"),
                    reported.get("ca_cert_hash"), reported.get("kubernetes_version"), joinCommand);
        } finally {
            Arrays.fill(tokenFile, (byte) 0);
            if (keyFile != null) {
                Arrays.fill(keyFile, (byte) 0);
            }
            if (run != null) {
                run.clear();
            }
        }
    }

    /**
     * joinWorkers: every worker joins in parallel with the same join command, delivered as a
     * root-only private file. Each must report that it trusts the command's API server and CA.
     *
     * @param discoveryTimeout how long each worker's kubeadm keeps trying to validate the API server
     *                         with the token (1 s to 1 h); an unknown or expired token fails after it
     *
     * @throws ParallelStepRunner.StepFailedException listing every worker that failed, with its reason
     */
    public List<JoinResult> joinWorkers(List<? extends ScriptRunner> workers, JoinCommand joinCommand, Duration discoveryTimeout) {
        return joinWorkers(workers, joinCommand, discoveryTimeout, List.of());
    }

    /**
     * joinWorkers with kubeadm preflight checks reported as warnings
     *
     * @param ignorePreflightErrors kubeadm preflight check names, validated as in {@link KubeadmInitParams}
     */
    public List<JoinResult> joinWorkers(List<? extends ScriptRunner> workers, JoinCommand joinCommand, Duration discoveryTimeout,
                                        List<String> ignorePreflightErrors) {
        return joinWorkers(workers, joinCommand, discoveryTimeout, ignorePreflightErrors, false);
    }

    /**
     * joinWorkers, each worker then waiting until it is Ready when {@code waitForReady} (it needs the
     * cluster's pod network: the one phase order applies it before the workers join).
     */
    public List<JoinResult> joinWorkers(List<? extends ScriptRunner> workers, JoinCommand joinCommand, Duration discoveryTimeout,
                                        List<String> ignorePreflightErrors, boolean waitForReady) {
        if (joinCommand.isControlPlane()) {
            throw new IllegalArgumentException("joinWorkers takes a worker join command (JoinCommand.forWorkers())");
        }
        return join(workers, joinCommand, discoveryTimeout, ignorePreflightErrors, waitForReady, "joinWorkers");
    }

    /**
     * One more control plane joins (kubeadm-join.sh with a control-plane join command, delivered as
     * a root-only private file) and waits until its etcd member and API server are healthy: the
     * next may join only then, so etcd never has two members joining at once.
     *
     * @param joinCommand {@link JoinCommand#forControlPlanes}; SECRET
     * @throws ParallelStepRunner.StepFailedException naming the node and its reason
     */
    public JoinResult joinControlPlane(ScriptRunner controlPlane, JoinCommand joinCommand, Duration discoveryTimeout,
                                       List<String> ignorePreflightErrors) {
        if (!joinCommand.isControlPlane() || joinCommand.certificateKey().isEmpty()) {
            throw new IllegalArgumentException("joinControlPlane takes a control-plane join command with its certificate key");
        }
        return join(List.of(controlPlane), joinCommand, discoveryTimeout, ignorePreflightErrors, false, "joinControlPlane").get(0);
    }

    private List<JoinResult> join(List<? extends ScriptRunner> workers, JoinCommand joinCommand, Duration discoveryTimeout,
                                  List<String> ignorePreflightErrors, boolean waitForReady, String what) {
        long seconds = discoveryTimeout.toSeconds();
        if (seconds < 1 || seconds > 3600) {
            throw new IllegalArgumentException("discoveryTimeout must be from 1 s to 1 h, not " + discoveryTimeout);
        }
        logs.redactor().addAll(joinCommand.secrets());
        byte[] commandFile = (joinCommand.toSecretCommandLine() + "\n").getBytes(StandardCharsets.UTF_8);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JOIN_DISCOVERY_TIMEOUT", seconds + "s");
        if (!ignorePreflightErrors.isEmpty()) {
            env.put("IGNORE_PREFLIGHT_ERRORS", String.join(",", KubeadmInitParams.preflightChecks(String.join(",", ignorePreflightErrors))));
        }
        if (waitForReady) {
            env.put("WAIT_FOR_READY", "true");
        }
        StepRequest request = new StepRequest(StepScript.load("kubeadm-join.sh"), env, Map.of(JOIN_COMMAND_FILE, commandFile));
        StepOutput output = new StepOutput(JOIN_RESULT);
        for (ScriptRunner worker : workers) {
            logSink.beginStep(worker.nodeName(), JOIN_STEP);
        }
        List<NodeStepResult> results;
        try {
            results = ParallelStepRunner.run(workers, node -> request, output, timeout, cancellation, logs.redactor()::redact);
        } finally {
            Arrays.fill(commandFile, (byte) 0);
        }
        List<NodeStepResult> checked = new ArrayList<>();
        List<JoinResult> joined = new ArrayList<>();
        String endpoint = joinCommand.apiServerEndpoint().toString();
        for (NodeStepResult result : results) {
            Map<String, String> reported = output.result(result.node());
            if (result.succeeded()) {
                String problem = null;
                if (reported.isEmpty()) {
                    problem = "the script printed no " + JOIN_RESULT + " line";
                } else if (!joinCommand.caCertHashes().contains(reported.getOrDefault("ca_cert_hash", ""))) {
                    problem = "it trusts CA " + reported.get("ca_cert_hash") + ", not the control plane's " + joinCommand.caCertHashes();
                } else if (!endpoint.equalsIgnoreCase(reported.getOrDefault("endpoint", ""))) {
                    problem = "it talks to the API server at " + reported.get("endpoint") + ", not " + endpoint;
                } else if (!Boolean.toString(joinCommand.isControlPlane()).equals(reported.get("control_plane"))) {
                    problem = "it is " + ("true".equals(reported.get("control_plane")) ? "a control plane" : "a worker")
                            + ", not " + (joinCommand.isControlPlane() ? "a control plane" : "a worker");
                }
                if (problem != null) {
                    result = new NodeStepResult(result.node(), result.result(), "joined another control plane: " + problem, null);
                } else {
                    joined.add(new JoinResult(result.node(), "joined".equals(reported.get("state")), reported.get("endpoint"),
                            reported.get("ca_cert_hash")));
                }
            }
            checked.add(result);
        }
        output.finish(checked);
        ParallelStepRunner.requireSuccess(what, checked);
        return joined;
    }

    /**
     * resetNode on every node in parallel: kubeadm reset and the clean-up it leaves to the user,
     * Kubernetes and CNI firewall chains only.
     *
     * @throws ParallelStepRunner.StepFailedException listing every node that failed
     */
    public List<NodeStepResult> resetNodes(List<? extends ScriptRunner> nodes) {
        return runEverywhere(nodes, RESET_STEP, "resetNode", StepRequest.of(StepScript.load("reset-node.sh"), Map.of()), new StepOutput(null));
    }

    /**
     * One script on every node in parallel, each run in its own step log, its result lines kept in {@code output}.
     *
     * @param what the step's name in a failure
     * @throws ParallelStepRunner.StepFailedException listing every node that failed
     */
    private List<NodeStepResult> runEverywhere(List<? extends ScriptRunner> nodes, String step, String what, StepRequest request,
                                               StepOutput output) {
        for (ScriptRunner node : nodes) {
            logSink.beginStep(node.nodeName(), step);
        }
        List<NodeStepResult> results = ParallelStepRunner.run(nodes, node -> request, output, timeout, cancellation,
                logs.redactor()::redact);
        output.finish(results);
        ParallelStepRunner.requireSuccess(what, results);
        return results;
    }

    /**
     * Which Kubernetes Node each node is (node-name.sh, which changes nothing), e.g. before removeNode
     * drains it: the name kubeadm registered it under.
     *
     * @return the Node name by node name, in the nodes' order
     * @throws ParallelStepRunner.StepFailedException when a node cannot say
     */
    public Map<String, String> kubernetesNodeNames(List<? extends ScriptRunner> nodes) {
        Map<String, String> names = new LinkedHashMap<>();
        describeNodes(nodes).forEach((node, description) -> names.put(node, description.kubernetesName()));
        return names;
    }

    /**
     * What each node is (node-name.sh, which changes nothing), each answer checked: e.g. which node
     * already runs a control plane, and the addresses the control planes' API servers advertise.
     *
     * @return by node name, in the nodes' order
     * @throws ParallelStepRunner.StepFailedException when a node cannot say
     */
    public Map<String, NodeDescription> describeNodes(List<? extends ScriptRunner> nodes) {
        StepOutput output = new StepOutput(NODE_NAME_RESULT);
        runEverywhere(nodes, NODE_NAME_STEP, "node-name", StepRequest.of(StepScript.load("node-name.sh"), Map.of()), output);
        Map<String, NodeDescription> described = new LinkedHashMap<>();
        for (ScriptRunner node : nodes) {
            Map<String, String> reported = output.result(node.nodeName());
            String name = reported.get("name");
            if (name == null || !NODE_NAME.matcher(name).matches()) {
                throw new IllegalStateException(node.nodeName() + ": node-name.sh printed no Kubernetes Node name");
            }
            String address = reported.getOrDefault("address", "");
            if (!address.isEmpty() && !Validators.isIpv4(address)) {
                throw new IllegalStateException(node.nodeName() + ": node-name.sh printed an address that is no IPv4 address");
            }
            described.put(node.nodeName(), new NodeDescription(node.nodeName(), name, "true".equals(reported.get("joined")),
                    "true".equals(reported.get("control_plane")), address.isEmpty() ? null : address));
        }
        return described;
    }

    /**
     * The cluster's etcd members, asked on a control plane that stays (etcd-members.sh), after removing
     * one member when {@code removeMemberId} is given.
     *
     * @param removeMemberId an ID from an earlier answer; null removes nothing
     * @throws ParallelStepRunner.StepFailedException when the control plane cannot say, or sends no member list
     */
    public EtcdMembers etcdMembers(ScriptRunner controlPlane, String removeMemberId) {
        String node = controlPlane.nodeName();
        Map<String, String> env = new LinkedHashMap<>();
        if (removeMemberId != null) {
            if (!removeMemberId.matches("[0-9]{1,20}")) {
                throw new IllegalArgumentException("not an etcd member ID: " + removeMemberId);
            }
            env.put("REMOVE_MEMBER_ID", removeMemberId);
        }
        StepRequest request = new StepRequest(StepScript.load("etcd-members.sh"), env, Map.of(), Set.of(ETCD_MEMBERS_RESULT));
        StepOutput output = new StepOutput(null);
        Map<String, Boolean> health = new ConcurrentHashMap<>();
        LineSink sink = (n, stream, text) -> {
            Map<String, String> fields = parseResultLine(ETCD_HEALTH, text);
            if (fields.containsKey("url")) {
                health.put(fields.get("url"), "true".equals(fields.get("healthy")));
            }
            output.line(n, stream, text);
        };
        logSink.beginStep(node, ETCD_STEP);
        CollectedRun run = null;
        try {
            NodeStepResult result;
            try {
                run = controlPlane.runAndCollect(request, new RedactingLineSink(sink, logs.redactor()), timeout, cancellation);
                result = new NodeStepResult(node, run.result(), null, output.lastError(node));
            } catch (IOException e) {
                result = new NodeStepResult(node, null, e.getMessage(), null);
            }
            if (!result.succeeded()) {
                throw output.fail(List.of(result), "etcdMembers");
            }
            try {
                EtcdMembers members = EtcdMembers.parse(new String(run.file(ETCD_MEMBERS_RESULT), StandardCharsets.UTF_8), health);
                output.succeed(node);
                return members;
            } catch (IOException e) {
                throw output.fail(List.of(new NodeStepResult(node, run.result(), "etcd-members.sh sent " + e.getMessage(), null)),
                        "etcdMembers");
            }
        } finally {
            if (run != null) {
                run.clear();
            }
        }
    }

    /**
     * apiServerLoadBalancer haproxy (api-load-balancer.sh) on every node in parallel: each node's
     * loopback endpoint forwards to every API server given.
     *
     * @param apiServers ADDRESS:PORT of every control plane, IPv4 addresses
     * @return the nodes whose load balancer changed (set up, or its servers changed)
     * @throws ParallelStepRunner.StepFailedException listing every node that failed
     */
    public List<String> apiLoadBalancer(List<? extends ScriptRunner> nodes, List<String> apiServers) {
        for (String server : apiServers) {
            int colon = server.lastIndexOf(':');
            if (colon < 0 || !Validators.isIpv4(server.substring(0, colon)) || !server.substring(colon + 1).matches("[0-9]{1,5}")) {
                throw new IllegalArgumentException("not an IPv4 ADDRESS:PORT: " + server);
            }
        }
        StepOutput output = new StepOutput(LOAD_BALANCER_RESULT);
        runEverywhere(nodes, LOAD_BALANCER_STEP, "apiServerLoadBalancer",
                StepRequest.of(StepScript.load("api-load-balancer.sh"), Map.of("API_SERVERS", String.join(",", apiServers))), output);
        return nodes.stream().map(ScriptRunner::nodeName).filter(n -> "configured".equals(output.result(n).get("state"))).toList();
    }

    /**
     * When a control plane's certificate (or authority) expires first.
     *
     * @param renewed whether this run renewed them (and restarted the control-plane containers)
     */
    public record CertificateExpiry(String node, boolean renewed, java.time.Instant earliest, String certificate) {

        private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9.-]{0,99}");

        /** What a node reports is checked: a certificate's name as kubeadm lists it (apiserver, admin.conf...). */
        public CertificateExpiry {
            if (certificate == null || !NAME.matcher(certificate).matches()) {
                throw new IllegalArgumentException("not a certificate name as kubeadm lists them");
            }
        }

        /** A warning when this expires within {@code days} of {@code now}; null when it does not (or days is 0). */
        public String warningWithin(int days, java.time.Instant now) {
            if (days <= 0 || !earliest.isBefore(now.plus(Duration.ofDays(days)))) {
                return null;
            }
            return certificate + " on " + node + " expires on " + earliest + ", within " + days + " days (renewCertificates(renew: true)"
                    + " renews it)";
        }
    }

    /**
     * renew-certificates.sh on each control plane, one at a time (each restarts its control-plane containers, so
     * the others keep the API answering): the expiry table in the console, and with {@code renew} the renewal.
     *
     * @throws ParallelStepRunner.StepFailedException naming the control plane that failed; those after it are left as they were
     */
    public List<CertificateExpiry> renewCertificates(List<? extends ScriptRunner> controlPlanes, boolean renew) {
        List<CertificateExpiry> expiries = new ArrayList<>();
        StepRequest request = StepRequest.of(StepScript.load("renew-certificates.sh"), Map.of("RENEW", Boolean.toString(renew)));
        for (ScriptRunner node : controlPlanes) {
            StepOutput output = new StepOutput(CERTS_RESULT);
            runEverywhere(List.of(node), CERTS_STEP, "renewCertificates", request, output);
            Map<String, String> reported = output.result(node.nodeName());
            try {
                expiries.add(new CertificateExpiry(node.nodeName(), "renewed".equals(reported.get("state")),
                        java.time.Instant.parse(reported.get("earliest")), reported.get("earliest_certificate")));
            } catch (RuntimeException e) {
                throw new IllegalStateException(node.nodeName() + ": renew-certificates.sh printed no expiry date it could read");
            }
        }
        return expiries;
    }

    /** upgrade-node.sh's stages, in the order a node goes through them (plan and apply only on a control plane). */
    public enum UpgradeStage {
        PLAN, APPLY, NODE, KUBELET;

        /** Its name in UPGRADE_STAGE. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The step log it writes on each node: upgrade-plan, upgrade-apply, upgrade-node, upgrade-kubelet. */
        public String step() {
            return "upgrade-" + id();
        }
    }

    /**
     * What a node runs after a stage of upgrade-node.sh.
     *
     * @param changed      whether the stage changed the node (false: it already had the release)
     * @param controlPlane the release of its API server; null on a worker
     */
    public record UpgradeResult(String node, boolean changed, KubernetesUpgrade.Release kubelet, KubernetesUpgrade.Release controlPlane) {
    }

    /**
     * One stage of upgrade-node.sh on these nodes side by side (the caller decides how many at once),
     * each node's answer checked.
     *
     * @throws ParallelStepRunner.StepFailedException naming each node where the stage failed
     */
    public List<UpgradeResult> upgradeNodes(List<? extends ScriptRunner> nodes, UpgradeClusterParams params, UpgradeStage stage) {
        StepOutput output = new StepOutput(UPGRADE_RESULT);
        runEverywhere(nodes, stage.step(), "upgradeCluster (" + stage.id() + ")", StepRequest.of(StepScript.load("upgrade-node.sh"),
                params.environment(stage.id())), output);
        List<UpgradeResult> results = new ArrayList<>();
        for (ScriptRunner node : nodes) {
            Map<String, String> reported = output.result(node.nodeName());
            KubernetesUpgrade.Release kubelet = KubernetesUpgrade.Release.reported(reported.get("kubelet"));
            String controlPlane = reported.getOrDefault("control_plane", "");
            KubernetesUpgrade.Release apiServer = KubernetesUpgrade.Release.reported(controlPlane);
            if (kubelet == null || (apiServer == null && !controlPlane.equals("none"))) {
                throw new IllegalStateException(node.nodeName() + ": upgrade-node.sh printed no kubelet and control-plane release it could read");
            }
            results.add(new UpgradeResult(node.nodeName(), "upgraded".equals(reported.get("state")), kubelet, apiServer));
        }
        return results;
    }

    /** Where the steps' logs go. */
    public StepLogs logs() {
        return logs;
    }

    /** Closes any step log a step left open (one interrupted while it ran); their outcomes stay unrecorded. */
    @Override
    public void close() {
        logSink.close();
    }

    /** Parses a {@code MARKER key=value ...} line; empty when the line is something else. */
    static Map<String, String> parseResultLine(String marker, String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (marker == null || line == null || !line.startsWith(marker + " ")) {
            return fields;
        }
        for (String word : line.substring(marker.length() + 1).trim().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                fields.put(word.substring(0, eq).toLowerCase(Locale.ROOT), word.substring(eq + 1));
            }
        }
        return fields;
    }

    /**
     * The sink of one step: lines go to the node's step log and the console; the result line is
     * remembered; lines after {@link #DIAGNOSTICS_MARKER} go to the console and are kept for the end
     * of the failed step's log.
     */
    private final class StepOutput implements LineSink {
        private final String marker;
        private final Map<String, Map<String, String>> results = new ConcurrentHashMap<>();
        private final Map<String, String> lastErrors = new ConcurrentHashMap<>();
        private final Map<String, StringBuilder> diagnostics = new ConcurrentHashMap<>();

        StepOutput(String marker) {
            this.marker = marker;
        }

        @Override
        public void line(String node, Stream stream, String text) {
            Map<String, String> fields = parseResultLine(marker, text);
            if (!fields.isEmpty()) {
                results.put(node, fields);
            }
            if (stream == Stream.STDERR && text.startsWith("ERROR: ")) {
                lastErrors.put(node, text);
            }
            StringBuilder held = diagnostics.get(node);
            if (held == null && stream == Stream.STDOUT && text.equals(DIAGNOSTICS_MARKER)) {
                diagnostics.putIfAbsent(node, new StringBuilder());
                console.line(node, stream, text);
                return;
            }
            if (held != null) {
                synchronized (held) {
                    held.append(text).append('\n');
                }
                console.line(node, stream, text);
                return;
            }
            logSink.line(node, stream, text);
        }

        Map<String, String> result(String node) {
            return results.getOrDefault(node, Map.of());
        }

        String lastError(String node) {
            return lastErrors.get(node);
        }

        void succeed(String node) {
            logSink.succeedStep(node);
        }

        /** Closes each node's step log with its outcome; a failure's log ends with the diagnostics. */
        void finish(List<NodeStepResult> results) {
            for (NodeStepResult r : results) {
                if (r.succeeded()) {
                    succeed(r.node());
                } else {
                    failLog(r);
                }
            }
        }

        ParallelStepRunner.StepFailedException fail(List<NodeStepResult> failed, String step) {
            failed.forEach(this::failLog);
            return new ParallelStepRunner.StepFailedException(step, failed);
        }

        private void failLog(NodeStepResult r) {
            String held = Optional.ofNullable(diagnostics.get(r.node())).map(StringBuilder::toString).orElse("");
            logSink.failStep(r.node(), r.describe(), held.isEmpty() ? "(the step printed no diagnostics)" : held);
        }
    }
}
