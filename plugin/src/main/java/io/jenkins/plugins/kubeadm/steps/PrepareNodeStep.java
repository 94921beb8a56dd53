package io.jenkins.plugins.kubeadm.steps;

import hudson.Extension;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.NodeAgents;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.core.phases.PreparePhase;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import io.jenkins.plugins.kubeadm.ssh.InventoryNodes;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.util.List;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** prepareNode: swap off, kernel modules, sysctls, preflight checks (resources/kubeadm/scripts/prepare-node.sh). */
public final class PrepareNodeStep extends NodeStep {

    private String role;
    private String hostname;
    private String clusterHosts;
    private String preflightIgnore;

    @DataBoundConstructor
    public PrepareNodeStep() {
    }

    public String getRole() {
        return role;
    }

    /** control-plane or worker; empty: control-plane for agents labelled k8s-control-plane, worker otherwise. */
    @DataBoundSetter
    public void setRole(String role) {
        this.role = Util.fixEmptyAndTrim(role);
    }

    public String getHostname() {
        return hostname;
    }

    @DataBoundSetter
    public void setHostname(String hostname) {
        this.hostname = Util.fixEmptyAndTrim(hostname);
    }

    public String getClusterHosts() {
        return clusterHosts;
    }

    @DataBoundSetter
    public void setClusterHosts(String clusterHosts) {
        this.clusterHosts = Util.fixEmptyAndTrim(clusterHosts);
    }

    public String getPreflightIgnore() {
        return preflightIgnore;
    }

    @DataBoundSetter
    public void setPreflightIgnore(String preflightIgnore) {
        this.preflightIgnore = Util.fixEmptyAndTrim(preflightIgnore);
    }

    @Override
    int defaultTimeoutMinutes() {
        return 10;
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        String worker = PrepareNodeParams.ROLES.get(1);
        validated(() -> PrepareNodeParams.of(role == null ? worker : role, hostname, clusterHosts, preflightIgnore));
        if (hostname != null && getLabel() != null) {
            throw new hudson.AbortException("hostname: sets one node's name, so it cannot go with label (accepted: hostname"
                    + " inside node('...') { }, or no hostname with label)");
        }
        InventorySpec inventory = checkedInventory();
        if (inventory.given() && (hostname != null || role != null)) {
            throw new hudson.AbortException((hostname != null ? "hostname" : "role") + ": comes from each node's inventory line"
                    + " with an inventory (accepted: 'NAME ROLE USER@HOST[:PORT]' lines, NAME being the hostname)");
        }
        return new Execution(context, this, inventory, effectiveTimeoutMinutes());
    }

    private static final class Execution extends KubeadmStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final String label;
        private final String role;
        private final String hostname;
        private final String clusterHosts;
        private final String preflightIgnore;
        private final InventorySpec inventory;
        private final int timeoutMinutes;

        Execution(StepContext context, PrepareNodeStep step, InventorySpec inventory, int timeoutMinutes) {
            super(context, DescriptorImpl.NAME, timeoutMinutes);
            this.label = step.getLabel();
            this.role = step.role;
            this.hostname = step.hostname;
            this.clusterHosts = step.clusterHosts;
            this.preflightIgnore = step.preflightIgnore;
            this.inventory = inventory;
            this.timeoutMinutes = timeoutMinutes;
        }

        @Override
        Void execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            if (inventory.given()) {
                // The inventory's names are the hostnames; IP addresses in it become every node's /etc/hosts.
                try (InventoryNodes nodes = inventoryNodes(inventory, run, logs)) {
                    runPhase(new PreparePhase(clusterHosts, preflightIgnore, null), nodes.clusterNodes(DescriptorImpl.NAME), logs,
                            cancellation, null);
                }
                return null;
            }
            List<ScriptRunner> nodes = NodeAgents.select(label, currentAgent(), DescriptorImpl.NAME, access());
            runPhase(new PreparePhase(clusterHosts, preflightIgnore, hostname),
                    ClusterNodes.picked(nodes, null, node -> role != null ? role : NodeAgents.roleOf(node)), logs, cancellation, null);
            return null;
        }
    }

    @Extension
    public static final class DescriptorImpl extends KubeadmStepDescriptor {
        static final String NAME = "prepareNode";

        @Override
        public String getFunctionName() {
            return NAME;
        }

        @Override
        public String getDisplayName() {
            return "kubeadm: prepare cluster nodes (swap, kernel modules, sysctls, preflight)";
        }
    }
}
