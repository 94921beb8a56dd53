package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.RemovalResult;
import io.jenkins.plugins.kubeadm.core.cluster.RemoveNodeOptions;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * removeNode on the nodes it is given (workers): each node says which Kubernetes Node it is
 * (node-name.sh); the API server's part follows ({@link ClusterSteps#removeNodes}: a dry run of the
 * drain that refuses before any change when a PodDisruptionBudget or a bare pod would block it, then
 * cordon, drain and delete); last each node is reset (reset-node.sh). A run that failed part-way goes
 * on when run again: a Node already deleted is skipped, and reset is idempotent.
 */
public final class RemoveNodesPhase implements ClusterPhase {

    private final long drainTimeoutSeconds;

    /** @param drainTimeoutSeconds how long each node's pods may take to leave it, checked here (1 to 86400) */
    public RemoveNodesPhase(long drainTimeoutSeconds) {
        new RemoveNodeOptions().drainTimeoutSeconds(drainTimeoutSeconds);
        this.drainTimeoutSeconds = drainTimeoutSeconds;
    }

    @Override
    public Phase phase() {
        return Phase.REMOVE_NODES;
    }

    @Override
    public void run(PhaseContext context) {
        List<ScriptRunner> nodes = context.nodes().all();
        Map<String, String> kubernetesNames = context.steps().kubernetesNodeNames(nodes);
        context.say(drain(context.cluster(), List.copyOf(new LinkedHashSet<>(kubernetesNames.values())), drainTimeoutSeconds).summary());
        reset(context, nodes);
    }

    /** The API server's part, wherever the step reaches it from (the plugin runs it on the control plane's agent). */
    public static RemovalResult drain(ClusterSteps cluster, List<String> kubernetesNodeNames, long drainTimeoutSeconds) {
        return cluster.removeNodes(new RemoveNodeOptions().nodes(kubernetesNodeNames).drainTimeoutSeconds(drainTimeoutSeconds));
    }

    /** The nodes' part, once their Nodes are gone from the cluster: kubeadm reset and its clean-up; the page marks them removed. */
    public static void reset(PhaseContext context, List<ScriptRunner> nodes) {
        context.steps().resetNodes(nodes);
        for (ScriptRunner node : nodes) {
            context.facts().record(ClusterFacts.nodeKey(node.nodeName(), "role"), "removed");
        }
        context.say("removeNode: reset " + String.join(", ", nodes.stream().map(ScriptRunner::nodeName).toList()));
    }
}
