package io.jenkins.plugins.kubeadm.steps;

import hudson.Extension;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.ClusterWork;
import io.jenkins.plugins.kubeadm.agents.NodeAgents;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.GpuPluginOptions;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import io.jenkins.plugins.kubeadm.core.phases.GpuPhase;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import io.jenkins.plugins.kubeadm.ssh.InventoryNodes;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * installGpuPlugin: on every agent with {@code label} (the GPU nodes) the NVIDIA runtime for containerd
 * (resources/kubeadm/scripts/gpu-node.sh), then the NVIDIA device plugin in the cluster and a GPU
 * smoke pod.
 */
public final class InstallGpuPluginStep extends ClusterStep {

    private String label;
    private String runtime;
    private String minDriverVersion;
    private String manifestUrl;
    private String imageRegistry;
    private String smokeImage;

    @DataBoundConstructor
    public InstallGpuPluginStep() {
    }

    public String getLabel() {
        return label;
    }

    /** The GPU nodes' agents (such as k8s-gpu); empty: only the cluster side, for nodes already set up. */
    @DataBoundSetter
    public void setLabel(String label) {
        this.label = Util.fixEmptyAndTrim(label);
    }

    public String getRuntime() {
        return runtime;
    }

    @DataBoundSetter
    public void setRuntime(String runtime) {
        this.runtime = Util.fixEmptyAndTrim(runtime);
    }

    public String getMinDriverVersion() {
        return minDriverVersion;
    }

    @DataBoundSetter
    public void setMinDriverVersion(String minDriverVersion) {
        this.minDriverVersion = Util.fixEmptyAndTrim(minDriverVersion);
    }

    public String getManifestUrl() {
        return manifestUrl;
    }

    @DataBoundSetter
    public void setManifestUrl(String manifestUrl) {
        this.manifestUrl = Util.fixEmptyAndTrim(manifestUrl);
    }

    public String getImageRegistry() {
        return imageRegistry;
    }

    @DataBoundSetter
    public void setImageRegistry(String imageRegistry) {
        this.imageRegistry = Util.fixEmptyAndTrim(imageRegistry);
    }

    public String getSmokeImage() {
        return smokeImage;
    }

    @DataBoundSetter
    public void setSmokeImage(String smokeImage) {
        this.smokeImage = Util.fixEmptyAndTrim(smokeImage);
    }

    Work work(List<String> gpuNodes, long timeoutMinutes) {
        return new Work(new ArrayList<>(gpuNodes), runtime, manifestUrl, imageRegistry, smokeImage, timeoutMinutes);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        long minutes = effectiveTimeoutMinutes();
        validated(() -> work(List.of(), minutes).options());
        if (minDriverVersion != null) {
            validated(() -> Validators.driverVersion("minDriverVersion", minDriverVersion));
        }
        checkedInventory(label);
        return new Execution(context, this, minutes);
    }

    /** The device plugin options as plain values, built into core's {@link GpuPluginOptions} where the work runs. */
    record Work(ArrayList<String> gpuNodes, String runtime, String manifestUrl, String imageRegistry, String smokeImage,
                long timeoutMinutes) implements ClusterWork {

        GpuPluginOptions options() {
            GpuPluginOptions options = new GpuPluginOptions().gpuNodes(gpuNodes).runtime(runtime).timeoutSeconds(timeoutMinutes * 60);
            if (manifestUrl != null) {
                options.manifestUrl(manifestUrl);
            }
            if (imageRegistry != null) {
                options.imageRegistry(imageRegistry);
            }
            if (smokeImage != null) {
                options.smokeImage(smokeImage);
            }
            return options;
        }

        @Override
        public String run(ClusterSteps cluster) {
            return GpuPhase.apply(cluster, options());
        }
    }

    private static final class Execution extends KubeadmStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final transient InstallGpuPluginStep step;
        private final long timeoutMinutes;

        Execution(StepContext context, InstallGpuPluginStep step, long timeoutMinutes) {
            super(context, DescriptorImpl.NAME, timeoutMinutes);
            this.step = step;
            this.timeoutMinutes = timeoutMinutes;
        }

        @Override
        Void execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            InventorySpec inventory = step.inventorySpec();
            // The cluster side is checked before the GPU nodes change.
            step.admitClusterAccess(inventory.given(), DescriptorImpl.NAME, access(), currentAgent());
            if (inventory.given()) {
                // The inventory's worker lines are the GPU nodes; its control-plane line gives the admin kubeconfig.
                try (InventoryNodes nodes = inventoryNodes(inventory, run, logs)) {
                    List<ScriptRunner> workers = nodes.workers(DescriptorImpl.NAME);
                    List<String> gpuNodes = workers.stream().map(ScriptRunner::nodeName).toList();
                    gpuNodeSide(workers, logs, cancellation);
                    logs.say(step.perform(step.work(gpuNodes, timeoutMinutes), run, logs, DescriptorImpl.NAME, nodes, cancellation, access(), currentAgent()));
                }
                return null;
            }
            List<String> gpuNodes = List.of();
            if (step.label != null) {
                List<ScriptRunner> nodes = NodeAgents.select(step.label, null, DescriptorImpl.NAME, access());
                gpuNodes = nodes.stream().map(ScriptRunner::nodeName).toList();
                gpuNodeSide(nodes, logs, cancellation);
            }
            logs.say(step.perform(step.work(gpuNodes, timeoutMinutes), run, logs, DescriptorImpl.NAME, access(), currentAgent()));
            return null;
        }

        private void gpuNodeSide(List<ScriptRunner> nodes, BuildStepLogs logs, Cancellation cancellation) {
            GpuPhase.prepareGpuNodes(logs.nodeSteps(Duration.ofMinutes(timeoutMinutes), cancellation), nodes, step.minDriverVersion,
                    step.runtime);
        }
    }

    @Extension
    public static final class DescriptorImpl extends KubeadmStepDescriptor {
        static final String NAME = "installGpuPlugin";

        @Override
        public String getFunctionName() {
            return NAME;
        }

        @Override
        public String getDisplayName() {
            return "kubeadm: NVIDIA runtime on GPU nodes and the NVIDIA device plugin";
        }
    }
}
