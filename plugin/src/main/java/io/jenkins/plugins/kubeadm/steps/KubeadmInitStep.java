package io.jenkins.plugins.kubeadm.steps;

import hudson.Extension;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.NodeAgents;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.core.phases.ControlPlanePhase;
import io.jenkins.plugins.kubeadm.credentials.JoinCommandCredential;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import io.jenkins.plugins.kubeadm.ssh.InventoryNodes;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.util.List;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * kubeadmInit: the control plane (resources/kubeadm/scripts/kubeadm-init.sh), and the worker join
 * command stored as a secret text credential for joinWorkers.
 */
public final class KubeadmInitStep extends NodeStep {

    private String podNetworkCidr;
    private String serviceCidr;
    private String apiServerAdvertiseAddress;
    private String controlPlaneEndpoint;
    private String apiServerLoadBalancer;
    private String kubernetesVersion;
    private String joinTokenTtl;
    private boolean controlPlaneSchedulable;
    private String joinCredentialsId;
    private String imageRepository;
    private String etcdImageTag;
    private String corednsImageTag;
    private String ignorePreflightErrors;

    @DataBoundConstructor
    public KubeadmInitStep() {
    }

    public String getPodNetworkCidr() {
        return podNetworkCidr;
    }

    @DataBoundSetter
    public void setPodNetworkCidr(String podNetworkCidr) {
        this.podNetworkCidr = Util.fixEmptyAndTrim(podNetworkCidr);
    }

    public String getServiceCidr() {
        return serviceCidr;
    }

    @DataBoundSetter
    public void setServiceCidr(String serviceCidr) {
        this.serviceCidr = Util.fixEmptyAndTrim(serviceCidr);
    }

    public String getApiServerAdvertiseAddress() {
        return apiServerAdvertiseAddress;
    }

    @DataBoundSetter
    public void setApiServerAdvertiseAddress(String apiServerAdvertiseAddress) {
        this.apiServerAdvertiseAddress = Util.fixEmptyAndTrim(apiServerAdvertiseAddress);
    }

    public String getControlPlaneEndpoint() {
        return controlPlaneEndpoint;
    }

    @DataBoundSetter
    public void setControlPlaneEndpoint(String controlPlaneEndpoint) {
        this.controlPlaneEndpoint = Util.fixEmptyAndTrim(controlPlaneEndpoint);
    }

    public String getKubernetesVersion() {
        return kubernetesVersion;
    }

    @DataBoundSetter
    public void setKubernetesVersion(String kubernetesVersion) {
        this.kubernetesVersion = Util.fixEmptyAndTrim(kubernetesVersion);
    }

    public String getJoinTokenTtl() {
        return joinTokenTtl;
    }

    @DataBoundSetter
    public void setJoinTokenTtl(String joinTokenTtl) {
        this.joinTokenTtl = Util.fixEmptyAndTrim(joinTokenTtl);
    }

    public String getApiServerLoadBalancer() {
        return apiServerLoadBalancer;
    }

    /** none, or haproxy: every node reaches every control plane through haproxy on its own loopback. */
    @DataBoundSetter
    public void setApiServerLoadBalancer(String apiServerLoadBalancer) {
        this.apiServerLoadBalancer = Util.fixEmptyAndTrim(apiServerLoadBalancer);
    }

    public boolean isControlPlaneSchedulable() {
        return controlPlaneSchedulable;
    }

    @DataBoundSetter
    public void setControlPlaneSchedulable(boolean controlPlaneSchedulable) {
        this.controlPlaneSchedulable = controlPlaneSchedulable;
    }

    public String getJoinCredentialsId() {
        return joinCredentialsId;
    }

    @DataBoundSetter
    public void setJoinCredentialsId(String joinCredentialsId) {
        this.joinCredentialsId = Util.fixEmptyAndTrim(joinCredentialsId);
    }

    public String getImageRepository() {
        return imageRepository;
    }

    /** Registry the control-plane images come from (kubeadm imageRepository), for air-gapped sites. */
    @DataBoundSetter
    public void setImageRepository(String imageRepository) {
        this.imageRepository = Util.fixEmptyAndTrim(imageRepository);
    }

    public String getEtcdImageTag() {
        return etcdImageTag;
    }

    /** The etcd image's tag when the registry holds another than kubeadm pins. */
    @DataBoundSetter
    public void setEtcdImageTag(String etcdImageTag) {
        this.etcdImageTag = Util.fixEmptyAndTrim(etcdImageTag);
    }

    public String getCorednsImageTag() {
        return corednsImageTag;
    }

    /** The CoreDNS image's tag when the registry holds another than kubeadm pins. */
    @DataBoundSetter
    public void setCorednsImageTag(String corednsImageTag) {
        this.corednsImageTag = Util.fixEmptyAndTrim(corednsImageTag);
    }

    public String getIgnorePreflightErrors() {
        return ignorePreflightErrors;
    }

    /** kubeadm preflight checks reported as warnings, a comma list of their names. */
    @DataBoundSetter
    public void setIgnorePreflightErrors(String ignorePreflightErrors) {
        this.ignorePreflightErrors = Util.fixEmptyAndTrim(ignorePreflightErrors);
    }

    @Override
    int defaultTimeoutMinutes() {
        return 15;
    }

    KubeadmInitParams params() {
        return KubeadmInitParams.of(podNetworkCidr, serviceCidr, apiServerAdvertiseAddress, controlPlaneEndpoint,
                kubernetesVersion, joinTokenTtl, controlPlaneSchedulable)
                .withImageRepository(imageRepository).withImageTags(etcdImageTag, corednsImageTag)
                .withIgnorePreflightErrors(ignorePreflightErrors).withApiServerLoadBalancer(apiServerLoadBalancer);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        KubeadmInitParams params = validated(this::params);
        validated(() -> joinCredentialsId == null ? null : Validators.credentialId("joinCredentialsId", joinCredentialsId));
        checkedInventory();
        return new Execution(context, this, params, effectiveTimeoutMinutes());
    }

    private static final class Execution extends KubeadmStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final transient KubeadmInitStep step;
        /** Parsed once, in start(); like the step, not kept across a restart (this execution does not resume). */
        private final transient KubeadmInitParams params;
        private final int timeoutMinutes;

        Execution(StepContext context, KubeadmInitStep step, KubeadmInitParams params, int timeoutMinutes) {
            super(context, DescriptorImpl.NAME, timeoutMinutes);
            this.step = step;
            this.params = params;
            this.timeoutMinutes = timeoutMinutes;
        }

        @Override
        Void execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            // Where the join command goes, and whether the build may put it there, is settled before any node changes.
            JoinCommandCredential.Destination destination = JoinCommandCredential.plan(run,
                    step.joinCredentialsId == null ? null : Validators.credentialId("joinCredentialsId", step.joinCredentialsId), access().authentication());
            InventorySpec inventory = step.inventorySpec();
            KubeadmSteps.InitResult result;
            if (inventory.given()) {
                try (InventoryNodes nodes = inventoryNodes(inventory, run, logs)) {
                    result = runPhase(new ControlPlanePhase(params), nodes.clusterNodes(DescriptorImpl.NAME), logs, cancellation, null).init();
                }
            } else {
                // Every agent the label matches is a control plane: kubeadm init on one, the others join it.
                List<ScriptRunner> controlPlanes = NodeAgents.select(step.getLabel(), currentAgent(), DescriptorImpl.NAME, access());
                validated(() -> {
                    params.checkControlPlaneCount(controlPlanes.size(), "label");
                    return null;
                });
                result = runPhase(new ControlPlanePhase(params), ClusterNodes.pickedWith(controlPlanes, controlPlanes, NodeAgents::roleOf),
                        logs, cancellation, null).init();
            }
            logs.say("kubeadmInit: the worker join command is " + destination.write(result.joinCommand(), result.node()));
            return null;
        }
    }

    @Extension
    public static final class DescriptorImpl extends KubeadmStepDescriptor {
        static final String NAME = "kubeadmInit";

        @Override
        public String getFunctionName() {
            return NAME;
        }

        @Override
        public String getDisplayName() {
            return "kubeadm: initialize the control plane";
        }
    }
}
