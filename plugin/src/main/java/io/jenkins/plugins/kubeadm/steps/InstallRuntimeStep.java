package io.jenkins.plugins.kubeadm.steps;

import hudson.Extension;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.NodeAgents;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.core.phases.RuntimePhase;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import io.jenkins.plugins.kubeadm.ssh.InventoryNodes;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.util.List;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** installRuntime: containerd, kubelet, kubeadm, kubectl (resources/kubeadm/scripts/install-runtime.sh). */
public final class InstallRuntimeStep extends NodeStep {

    private String kubernetesVersion;
    private String pauseImage;
    private String aptRepository;
    private String aptKeyUrl;
    private String registryMirror;

    @DataBoundConstructor
    public InstallRuntimeStep() {
    }

    public String getKubernetesVersion() {
        return kubernetesVersion;
    }

    @DataBoundSetter
    public void setKubernetesVersion(String kubernetesVersion) {
        this.kubernetesVersion = Util.fixEmptyAndTrim(kubernetesVersion);
    }

    public String getPauseImage() {
        return pauseImage;
    }

    @DataBoundSetter
    public void setPauseImage(String pauseImage) {
        this.pauseImage = Util.fixEmptyAndTrim(pauseImage);
    }

    public String getAptRepository() {
        return aptRepository;
    }

    @DataBoundSetter
    public void setAptRepository(String aptRepository) {
        this.aptRepository = Util.fixEmptyAndTrim(aptRepository);
    }

    public String getAptKeyUrl() {
        return aptKeyUrl;
    }

    @DataBoundSetter
    public void setAptKeyUrl(String aptKeyUrl) {
        this.aptKeyUrl = Util.fixEmptyAndTrim(aptKeyUrl);
    }

    public String getRegistryMirror() {
        return registryMirror;
    }

    /** A registry containerd pulls images from first (http://HOST:PORT), for air-gapped sites. */
    @DataBoundSetter
    public void setRegistryMirror(String registryMirror) {
        this.registryMirror = Util.fixEmptyAndTrim(registryMirror);
    }

    @Override
    int defaultTimeoutMinutes() {
        return 20;
    }

    InstallRuntimeParams params() {
        return InstallRuntimeParams.of(kubernetesVersion, pauseImage, aptRepository, aptKeyUrl).withRegistryMirror(registryMirror);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        InstallRuntimeParams params = validated(this::params);
        checkedInventory();
        return new Execution(context, this, params, effectiveTimeoutMinutes());
    }

    private static final class Execution extends KubeadmStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final transient InstallRuntimeStep step;
        /** Parsed once, in start(); like the step, not kept across a restart (this execution does not resume). */
        private final transient InstallRuntimeParams params;
        private final int timeoutMinutes;

        Execution(StepContext context, InstallRuntimeStep step, InstallRuntimeParams params, int timeoutMinutes) {
            super(context, DescriptorImpl.NAME, timeoutMinutes);
            this.step = step;
            this.params = params;
            this.timeoutMinutes = timeoutMinutes;
        }

        @Override
        Void execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            InventorySpec inventory = step.inventorySpec();
            if (inventory.given()) {
                try (InventoryNodes nodes = inventoryNodes(inventory, run, logs)) {
                    runPhase(new RuntimePhase(params), nodes.clusterNodes(DescriptorImpl.NAME), logs, cancellation, null);
                }
            } else {
                List<ScriptRunner> nodes = NodeAgents.select(step.getLabel(), currentAgent(), DescriptorImpl.NAME, access());
                runPhase(new RuntimePhase(params), ClusterNodes.picked(nodes, null, NodeAgents::roleOf), logs, cancellation, null);
            }
            return null;
        }
    }

    @Extension
    public static final class DescriptorImpl extends KubeadmStepDescriptor {
        static final String NAME = "installRuntime";

        @Override
        public String getFunctionName() {
            return NAME;
        }

        @Override
        public String getDisplayName() {
            return "kubeadm: install containerd, kubelet, kubeadm and kubectl";
        }
    }
}
