package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.GpuPluginOptions;
import io.jenkins.plugins.kubeadm.core.cluster.GpuPluginResult;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import java.util.List;
import java.util.Objects;

/**
 * installGpuPlugin: the GPU nodes' side first (gpu-node.sh: driver check, the NVIDIA container
 * runtime), then the device plugin through the API server and its allocatable GPUs awaited. A run's
 * GPU nodes are its workers.
 */
public final class GpuPhase implements ClusterPhase {

    private final GpuPluginOptions options;
    private final String minDriverVersion;
    private final String runtime;

    /** @param options the device plugin's options; the GPU nodes are set when the phase runs */
    public GpuPhase(GpuPluginOptions options, String minDriverVersion, String runtime) {
        this.options = Objects.requireNonNull(options, "options");
        this.minDriverVersion = minDriverVersion;
        this.runtime = runtime;
    }

    @Override
    public Phase phase() {
        return Phase.GPU;
    }

    @Override
    public void run(PhaseContext context) {
        List<ScriptRunner> gpuNodes = context.nodes().workers();
        prepareGpuNodes(context.steps(), gpuNodes, minDriverVersion, runtime);
        context.say(apply(context.cluster(), options.gpuNodes(gpuNodes.stream().map(ScriptRunner::nodeName).toList())));
    }

    /** The GPU nodes' side alone: the plugin runs it on the agents or inventory lines it picked. */
    public static void prepareGpuNodes(KubeadmSteps steps, List<ScriptRunner> gpuNodes, String minDriverVersion, String runtime) {
        steps.gpuNodes(gpuNodes, minDriverVersion, runtime);
    }

    /** Installs the device plugin and returns the phase's report; the plugin calls it where it reaches the API server. */
    public static String apply(ClusterSteps cluster, GpuPluginOptions options) {
        GpuPluginResult result = cluster.installGpuPlugin(options);
        return "installGpuPlugin: NVIDIA device plugin " + result.version() + "; GPUs per node: " + result.gpusPerNode();
    }
}
