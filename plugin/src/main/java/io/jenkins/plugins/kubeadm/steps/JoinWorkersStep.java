package io.jenkins.plugins.kubeadm.steps;

import hudson.Extension;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.NodeAgents;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.core.phases.WorkersPhase;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import io.jenkins.plugins.kubeadm.credentials.JoinCommandCredential;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import io.jenkins.plugins.kubeadm.ssh.InventoryNodes;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.time.Duration;
import java.util.List;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * joinWorkers: every worker joins the control plane with the join command from the credential
 * kubeadmInit stored (resources/kubeadm/scripts/kubeadm-join.sh), in parallel.
 */
public final class JoinWorkersStep extends NodeStep {

    private String joinCredentialsId;
    private int discoveryTimeoutSeconds;
    private String ignorePreflightErrors;
    private String controlPlaneLabel;
    private boolean keepToken;
    private boolean waitForReady;

    @DataBoundConstructor
    public JoinWorkersStep() {
    }

    public String getJoinCredentialsId() {
        return joinCredentialsId;
    }

    @DataBoundSetter
    public void setJoinCredentialsId(String joinCredentialsId) {
        this.joinCredentialsId = Util.fixEmptyAndTrim(joinCredentialsId);
    }

    public int getDiscoveryTimeoutSeconds() {
        return discoveryTimeoutSeconds;
    }

    /** How long each worker's kubeadm tries to validate the API server with the token; 0 for 60 s. */
    @DataBoundSetter
    public void setDiscoveryTimeoutSeconds(int discoveryTimeoutSeconds) {
        this.discoveryTimeoutSeconds = discoveryTimeoutSeconds;
    }

    public String getIgnorePreflightErrors() {
        return ignorePreflightErrors;
    }

    /** kubeadm preflight checks reported as warnings on the workers, a comma list of their names. */
    @DataBoundSetter
    public void setIgnorePreflightErrors(String ignorePreflightErrors) {
        this.ignorePreflightErrors = Util.fixEmptyAndTrim(ignorePreflightErrors);
    }

    public String getControlPlaneLabel() {
        return controlPlaneLabel;
    }

    /** The control-plane agent's label, where the join token is deleted once every worker joined; empty: k8s-control-plane. */
    @DataBoundSetter
    public void setControlPlaneLabel(String controlPlaneLabel) {
        this.controlPlaneLabel = Util.fixEmptyAndTrim(controlPlaneLabel);
    }

    public boolean isKeepToken() {
        return keepToken;
    }

    /** Keeps the bootstrap token after the joins (more workers will join with the same command later). */
    @DataBoundSetter
    public void setKeepToken(boolean keepToken) {
        this.keepToken = keepToken;
    }

    public boolean isWaitForReady() {
        return waitForReady;
    }

    /** Each worker waits, after joining, until it is Ready: for Jenkinsfiles that apply the pod network first. */
    @DataBoundSetter
    public void setWaitForReady(boolean waitForReady) {
        this.waitForReady = waitForReady;
    }

    @Override
    int defaultTimeoutMinutes() {
        return 10;
    }

    List<String> preflightIgnores() {
        return ignorePreflightErrors == null ? List.of() : KubeadmInitParams.preflightChecks(ignorePreflightErrors);
    }

    Duration discoveryTimeout() {
        return WorkersPhase.discoveryTimeout(discoveryTimeoutSeconds);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        validated(this::discoveryTimeout);
        validated(this::preflightIgnores);
        validated(() -> joinCredentialsId == null ? null : Validators.credentialId("joinCredentialsId", joinCredentialsId));
        if (checkedInventory().given() && controlPlaneLabel != null) {
            throw new hudson.AbortException("controlPlaneLabel: cannot go with an inventory, whose control-plane line deletes the"
                    + " join token (accepted: controlPlaneLabel with agents, or an inventory)");
        }
        return new Execution(context, this, effectiveTimeoutMinutes());
    }

    private static final class Execution extends KubeadmStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final transient JoinWorkersStep step;
        private final int timeoutMinutes;

        Execution(StepContext context, JoinWorkersStep step, int timeoutMinutes) {
            super(context, DescriptorImpl.NAME, timeoutMinutes);
            this.step = step;
            this.timeoutMinutes = timeoutMinutes;
        }

        @Override
        Void execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            String credentialsId = step.joinCredentialsId == null ? null : Validators.credentialId("joinCredentialsId", step.joinCredentialsId);
            JoinCommand joinCommand = JoinCommandCredential.read(run, credentialsId).forWorkers();
            logs.redactor().addAll(joinCommand.secrets());
            InventorySpec inventory = step.inventorySpec();
            WorkersPhase phase = new WorkersPhase(step.discoveryTimeout(), step.preflightIgnores(), step.waitForReady, step.keepToken);
            if (inventory.given()) {
                try (InventoryNodes nodes = inventoryNodes(inventory, run, logs)) {
                    // Both checked before any worker joins.
                    nodes.controlPlane(DescriptorImpl.NAME);
                    nodes.workers(DescriptorImpl.NAME);
                    runPhase(phase, nodes.clusterNodes(DescriptorImpl.NAME), logs, cancellation, joinCommand);
                }
                return null;
            }
            String label = step.controlPlaneLabel == null ? NodeAgents.CONTROL_PLANE_LABEL : step.controlPlaneLabel;
            // Taken with the workers, before any joins: a step waiting for the control plane while holding the
            // workers could wait for one that waits for these workers.
            // The control planes delete the token, and tell the workers' load balancers where the API servers are.
            boolean localLoadBalancer = joinCommand.apiServerEndpoint().toString().equals(KubeadmInitParams.LOCAL_LOAD_BALANCER_ENDPOINT);
            List<ScriptRunner> controlPlanes = step.keepToken && !localLoadBalancer ? List.of()
                    : NodeAgents.select(label, null, DescriptorImpl.NAME, access());
            List<ScriptRunner> workers = NodeAgents.select(step.getLabel(), currentAgent(), DescriptorImpl.NAME, access());
            runPhase(phase, ClusterNodes.pickedWith(workers, controlPlanes, NodeAgents::roleOf), logs, cancellation, joinCommand);
            return null;
        }
    }

    @Extension
    public static final class DescriptorImpl extends KubeadmStepDescriptor {
        static final String NAME = "joinWorkers";

        @Override
        public String getFunctionName() {
            return NAME;
        }

        @Override
        public String getDisplayName() {
            return "kubeadm: join worker nodes to the cluster";
        }
    }
}
