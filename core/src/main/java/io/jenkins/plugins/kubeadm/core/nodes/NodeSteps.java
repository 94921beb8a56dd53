package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.cluster.GpuPluginOptions;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.exec.StepScript;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The fan-out of the node steps that carry no secret, without step logs: {@link KubeadmSteps} wraps
 * each in the nodes' logs, and the tests in this package run them bare.
 */
final class NodeSteps {

    private NodeSteps() {
    }

    /**
     * prepareNode on every node, then the cross-node identity check.
     *
     * @return each node's identity, by node name
     * @throws ParallelStepRunner.StepFailedException       when the script failed on a node
     * @throws IdentityCheck.DuplicateNodeIdentityException when nodes share a hostname, product_uuid, machine-id or MAC
     * @throws IdentityCheck.ClockSkewException             when two nodes' clocks differ by more than 60 s
     */
    static Map<String, NodeIdentity> prepareNodes(List<? extends ScriptRunner> runners, Function<String, PrepareNodeParams> paramsFor,
                                                         LineSink sink, Duration timeout, Cancellation cancellation) {
        StepScript script = StepScript.load("prepare-node.sh");
        Map<String, NodeIdentity> identities = new ConcurrentHashMap<>();
        Map<String, Instant> receivedAt = new ConcurrentHashMap<>();
        LineSink capture = (node, stream, text) -> {
            NodeIdentity.parse(text).ifPresent(id -> {
                receivedAt.put(node, Instant.now());
                identities.put(node, id);
            });
            sink.line(node, stream, text);
        };
        List<NodeStepResult> results = ParallelStepRunner.run(runners,
                node -> StepRequest.of(script, paramsFor.apply(node).environment()), capture, timeout, cancellation);
        ParallelStepRunner.requireSuccess("prepareNode", results);
        for (NodeStepResult r : results) {
            if (!identities.containsKey(r.node())) {
                throw new IllegalStateException("prepareNode: node " + r.node() + " printed no " + NodeIdentity.MARKER + " line");
            }
        }
        Map<String, NodeIdentity> sorted = new TreeMap<>(identities);
        IdentityCheck.requireUnique(sorted);
        IdentityCheck.requireClocksInSync(sorted, receivedAt);
        return sorted;
    }

    /** installRuntime on every node with the same parameters (a cluster runs one Kubernetes version). */
    static List<NodeStepResult> installRuntime(List<? extends ScriptRunner> runners, InstallRuntimeParams params,
                                                      LineSink sink, Duration timeout, Cancellation cancellation) {
        StepRequest request = StepRequest.of(StepScript.load("install-runtime.sh"), params.environment());
        List<NodeStepResult> results = ParallelStepRunner.run(runners, node -> request, sink, timeout, cancellation);
        ParallelStepRunner.requireSuccess("installRuntime", results);
        return results;
    }

    /**
     * The node side of installGpuPlugin (gpu-node.sh) on every GPU node: driver and NVIDIA container
     * toolkit checked, containerd given the nvidia runtime.
     *
     * @param minDriverVersion lowest driver accepted, as nvidia-smi reports it (such as 535.104.05); null for the script's default
     * @param runtimeMode      default or runtimeClass, as {@link GpuPluginOptions#runtime} takes it; null for default
     */
    static List<NodeStepResult> gpuNodes(List<? extends ScriptRunner> runners, String minDriverVersion, String runtimeMode,
                                                LineSink sink, Duration timeout, Cancellation cancellation) {
        Map<String, String> env = new LinkedHashMap<>();
        if (minDriverVersion != null) {
            env.put("MIN_DRIVER_VERSION", Validators.driverVersion("minDriverVersion", minDriverVersion));
        }
        new GpuPluginOptions().runtime(runtimeMode); // validates: default or runtimeClass
        env.put("NVIDIA_RUNTIME_MODE", runtimeMode == null || runtimeMode.isBlank() ? "default" : runtimeMode.trim().toLowerCase(Locale.ROOT));
        StepRequest request = StepRequest.of(StepScript.load("gpu-node.sh"), env);
        List<NodeStepResult> results = ParallelStepRunner.run(runners, node -> request, sink, timeout, cancellation);
        ParallelStepRunner.requireSuccess("installGpuPlugin", results);
        return results;
    }
}
