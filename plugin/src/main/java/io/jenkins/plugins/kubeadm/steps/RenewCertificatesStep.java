package io.jenkins.plugins.kubeadm.steps;

import hudson.Extension;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.NodeAgents;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.core.phases.RenewCertificatesPhase;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import io.jenkins.plugins.kubeadm.ssh.InventoryNodes;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.time.Instant;
import java.util.List;
import org.jenkinsci.plugins.workflow.actions.WarningAction;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * renewCertificates: on the control planes, one at a time, kubeadm's certificate expiry table
 * (resources/kubeadm/scripts/renew-certificates.sh); with {@code renew}, kubeadm certs renew all and the
 * control-plane containers restarted. Returns when the first certificate expires (ISO-8601), and with
 * {@code warnWithinDays} marks the build unstable when that is sooner.
 */
public final class RenewCertificatesStep extends NodeStep {

    private boolean renew;
    private int warnWithinDays;

    @DataBoundConstructor
    public RenewCertificatesStep() {
    }

    public boolean isRenew() {
        return renew;
    }

    /** Renew every certificate and restart the control-plane containers; false only reads the expiry dates. */
    @DataBoundSetter
    public void setRenew(boolean renew) {
        this.renew = renew;
    }

    public int getWarnWithinDays() {
        return warnWithinDays;
    }

    /** Mark the build unstable when a certificate expires within this many days; 0: never. */
    @DataBoundSetter
    public void setWarnWithinDays(int warnWithinDays) {
        this.warnWithinDays = warnWithinDays;
    }

    @Override
    int defaultTimeoutMinutes() {
        return 15;
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        validated(() -> Validators.integerRange("warnWithinDays", warnWithinDays, 0, 3650, "days (0 for no warning)"));
        return new Execution(context, this, checkedInventory(), effectiveTimeoutMinutes());
    }

    private static final class Execution extends KubeadmStepExecution<String> {
        private static final long serialVersionUID = 1L;
        private final transient RenewCertificatesStep step;
        private final InventorySpec inventory;

        Execution(StepContext context, RenewCertificatesStep step, InventorySpec inventory, int timeoutMinutes) {
            super(context, DescriptorImpl.NAME, timeoutMinutes);
            this.step = step;
            this.inventory = inventory;
        }

        @Override
        String execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            RenewCertificatesPhase phase = new RenewCertificatesPhase(step.renew);
            if (inventory.given()) {
                // The inventory's control-plane lines.
                try (InventoryNodes nodes = inventoryNodes(inventory, run, logs)) {
                    runPhase(phase, nodes.clusterNodes(DescriptorImpl.NAME), logs, cancellation, null);
                }
            } else {
                // The agents it is given are control planes by the Jenkinsfile's word; the script refuses one that is not.
                List<ScriptRunner> nodes = NodeAgents.select(step.getLabel(), currentAgent(), DescriptorImpl.NAME, access());
                runPhase(phase, ClusterNodes.picked(nodes, null, node -> Inventory.CONTROL_PLANE), logs, cancellation, null);
            }
            KubeadmSteps.CertificateExpiry earliest = phase.earliest();
            String warning = earliest.warningWithin(step.warnWithinDays, Instant.now());
            if (warning != null) {
                logs.say("renewCertificates: " + warning);
                getContext().get(FlowNode.class).addOrReplaceAction(new WarningAction(Result.UNSTABLE).withMessage(warning));
                run.setResult(Result.UNSTABLE);
            }
            return earliest.earliest().toString();
        }
    }

    @Extension
    public static final class DescriptorImpl extends KubeadmStepDescriptor {
        static final String NAME = "renewCertificates";

        @Override
        public String getFunctionName() {
            return NAME;
        }

        @Override
        public String getDisplayName() {
            return "kubeadm: check (and renew) the control planes' certificates";
        }
    }
}
