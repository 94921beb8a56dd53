package io.jenkins.plugins.kubeadm.steps;

import hudson.AbortException;
import hudson.Extension;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.ClusterWork;
import io.jenkins.plugins.kubeadm.agents.NodeAgents;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.RemoveNodeOptions;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.Defaults;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.core.phases.PhaseContext;
import io.jenkins.plugins.kubeadm.core.phases.RemoveNodesPhase;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import io.jenkins.plugins.kubeadm.ssh.InventoryNodes;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * removeNode: takes nodes out of a running cluster (core's {@link RemoveNodesPhase}): agents by label, or an
 * inventory's lines by name (its worker lines when none are named). Each node
 * says which Kubernetes Node it is; a server-side dry run of the drain refuses, before anything changes,
 * when a PodDisruptionBudget or a pod without a controller would block it; then each Node is cordoned,
 * drained (within drainTimeoutSeconds) and deleted, and each node reset.
 */
public final class RemoveNodeStep extends ClusterStep {

    private String label;
    private String nodes;
    private int drainTimeoutSeconds;

    @DataBoundConstructor
    public RemoveNodeStep() {
    }

    public String getLabel() {
        return label;
    }

    /** The agents of the nodes to remove (a label or an agent's name); required without an inventory. */
    @DataBoundSetter
    public void setLabel(String label) {
        this.label = Util.fixEmptyAndTrim(label);
    }

    public String getNodes() {
        return nodes;
    }

    /** With an inventory: the names of the lines to remove, workers or control planes; empty: its worker lines. */
    @DataBoundSetter
    public void setNodes(String nodes) {
        this.nodes = Util.fixEmptyAndTrim(nodes);
    }

    public int getDrainTimeoutSeconds() {
        return drainTimeoutSeconds;
    }

    /** How long each node's pods may take to leave it; 0: lib/defaults.env's DRAIN_TIMEOUT_SECONDS. */
    @DataBoundSetter
    public void setDrainTimeoutSeconds(int drainTimeoutSeconds) {
        this.drainTimeoutSeconds = drainTimeoutSeconds;
    }

    long effectiveDrainTimeoutSeconds() {
        return drainTimeoutSeconds == 0 ? Defaults.DRAIN_TIMEOUT_SECONDS : drainTimeoutSeconds;
    }

    @Override
    int defaultTimeoutMinutes() {
        return 10;
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        long minutes = effectiveTimeoutMinutes();
        validated(() -> new RemoveNodeOptions().drainTimeoutSeconds(effectiveDrainTimeoutSeconds()));
        InventorySpec inventory = checkedInventory(label);
        if (!inventory.given() && nodes != null) {
            validated(() -> {
                throw new ParameterException("nodes", "names an inventory's lines, and no inventory is given",
                        "nodes with inventory or inventoryFile; agents are named by label");
            });
        }
        if (!inventory.given() && label == null) {
            validated(() -> {
                throw new ParameterException("label", "is required: removeNode never picks nodes by itself",
                        "the label or name of the agents to remove, e.g. label: 'worker3', or an inventory whose worker lines are removed");
            });
        }
        return new Execution(context, this, minutes);
    }

    /** The API server's part as plain values, run where the step reaches the cluster. */
    record Work(ArrayList<String> kubernetesNodes, ArrayList<String> controlPlanes, long drainTimeoutSeconds) implements ClusterWork {

        @Override
        public String run(ClusterSteps cluster) {
            return RemoveNodesPhase.drain(cluster, kubernetesNodes, controlPlanes, drainTimeoutSeconds).summary();
        }
    }

    private static final class Execution extends KubeadmStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final transient RemoveNodeStep step;
        private final long timeoutMinutes;

        Execution(StepContext context, RemoveNodeStep step, long timeoutMinutes) {
            super(context, DescriptorImpl.NAME, timeoutMinutes);
            this.step = step;
            this.timeoutMinutes = timeoutMinutes;
        }

        @Override
        Void execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            InventorySpec inventory = step.inventorySpec();
            // Whether the build may reach the cluster is settled before any node is asked anything.
            step.admitClusterAccess(inventory.given(), DescriptorImpl.NAME, access(), currentAgent());
            if (inventory.given()) {
                // The lines named by nodes (else the worker lines) are removed; a control-plane line gives the admin kubeconfig.
                try (InventoryNodes nodes = inventoryNodes(inventory, run, logs)) {
                    List<ScriptRunner> removed = step.nodes == null ? nodes.workers(DescriptorImpl.NAME)
                            : nodes.named(validated(() -> nodes.inventory().lines("nodes", step.nodes)));
                    remove(removed, () -> nodes.clusterNodes(DescriptorImpl.NAME).controlPlanes(), step.nodes == null ? "inventory" : "nodes",
                            work -> step.perform(work, run, logs, DescriptorImpl.NAME, nodes, cancellation, access(), currentAgent()),
                            logs, cancellation);
                }
                return null;
            }
            List<ScriptRunner> nodes = NodeAgents.select(step.label, null, DescriptorImpl.NAME, access());
            // A control plane among them: its etcd member is checked and removed on a control-plane agent that stays.
            remove(nodes, () -> {
                try {
                    return NodeAgents.select(step.controlPlaneLabel(), null, DescriptorImpl.NAME, access());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "label", work -> step.perform(work, run, logs, DescriptorImpl.NAME, access(), currentAgent()), logs, cancellation);
            return null;
        }

        private void remove(List<ScriptRunner> nodes, Supplier<List<ScriptRunner>> controlPlanes, String where, ClusterAccess cluster,
                            BuildStepLogs logs, Cancellation cancellation) throws Exception {
            if (nodes.isEmpty()) {
                throw new AbortException(DescriptorImpl.NAME + ": no node to remove");
            }
            KubeadmSteps steps = logs.nodeSteps(Duration.ofMinutes(timeoutMinutes), cancellation);
            RemoveNodesPhase.Removal removal = validated(() -> RemoveNodesPhase.check(steps, nodes, controlPlanes, where));
            logs.say(cluster.perform(new Work(new ArrayList<>(removal.kubernetesNames()), new ArrayList<>(removal.controlPlanes()),
                    step.effectiveDrainTimeoutSeconds())));
            removal.removeEtcdMembers(steps, logs::say);
            RemoveNodesPhase.reset(new PhaseContext(ClusterNodes.picked(nodes, null, NodeAgents::roleOf), steps, logs::say, null), nodes);
        }
    }

    @Extension
    public static final class DescriptorImpl extends KubeadmStepDescriptor {
        static final String NAME = "removeNode";

        @Override
        public String getFunctionName() {
            return NAME;
        }

        @Override
        public String getDisplayName() {
            return "kubeadm: remove nodes from the cluster (drain, delete, etcd member, reset)";
        }
    }
}
