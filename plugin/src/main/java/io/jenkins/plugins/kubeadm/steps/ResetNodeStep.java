package io.jenkins.plugins.kubeadm.steps;

import hudson.Extension;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.NodeAgents;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.core.phases.ResetPhase;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import io.jenkins.plugins.kubeadm.ssh.InventoryNodes;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.util.List;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;

/**
 * resetNode: kubeadm reset and the clean-up it leaves to people (resources/kubeadm/scripts/reset-node.sh);
 * only Kubernetes and CNI firewall chains go, so the agent's own connection survives.
 */
public final class ResetNodeStep extends NodeStep {

    @DataBoundConstructor
    public ResetNodeStep() {
    }

    @Override
    int defaultTimeoutMinutes() {
        return 10;
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        return new Execution(context, getLabel(), checkedInventory(), effectiveTimeoutMinutes());
    }

    private static final class Execution extends KubeadmStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final String label;
        private final InventorySpec inventory;
        private final int timeoutMinutes;

        Execution(StepContext context, String label, InventorySpec inventory, int timeoutMinutes) {
            super(context, DescriptorImpl.NAME, timeoutMinutes);
            this.label = label;
            this.inventory = inventory;
            this.timeoutMinutes = timeoutMinutes;
        }

        @Override
        Void execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            if (inventory.given()) {
                try (InventoryNodes nodes = inventoryNodes(inventory, run, logs)) {
                    runPhase(new ResetPhase(), nodes.clusterNodes(DescriptorImpl.NAME), logs, cancellation, null);
                }
            } else {
                List<ScriptRunner> nodes = NodeAgents.select(label, currentAgent(), DescriptorImpl.NAME, access());
                runPhase(new ResetPhase(), ClusterNodes.picked(nodes, null, NodeAgents::roleOf), logs, cancellation, null);
            }
            return null;
        }
    }

    @Extension
    public static final class DescriptorImpl extends KubeadmStepDescriptor {
        static final String NAME = "resetNode";

        @Override
        public String getFunctionName() {
            return NAME;
        }

        @Override
        public String getDisplayName() {
            return "kubeadm: reset cluster nodes";
        }
    }
}
