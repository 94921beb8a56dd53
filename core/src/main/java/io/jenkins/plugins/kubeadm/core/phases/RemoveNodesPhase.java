package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.RemovalResult;
import io.jenkins.plugins.kubeadm.core.cluster.RemoveNodeOptions;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import io.jenkins.plugins.kubeadm.core.nodes.EtcdMembers;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * removeNode on the nodes it is given: each node says which Kubernetes Node it is and whether it is a
 * control plane (node-name.sh). For control planes, a control plane that stays lists etcd's members
 * and the removal is refused unless a healthy majority stays. Then the API server's part
 * ({@link ClusterSteps#removeNodes}: a dry run of the drain that refuses before any change when a
 * PodDisruptionBudget or a bare pod would block it, then cordon, drain and delete); then each removed
 * control plane's etcd member leaves etcd; last each node is reset (reset-node.sh). A run that failed
 * part-way goes on when run again: a Node or member already gone is skipped, and reset is idempotent.
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
        Removal removal = check(context.steps(), nodes, () -> context.nodes().controlPlanes(), "inventory");
        context.say(drain(context.cluster(), removal, drainTimeoutSeconds).summary());
        removal.removeEtcdMembers(context.steps(), context::say);
        reset(context, nodes);
    }

    /**
     * What is removed, checked before anything changes: the nodes' Kubernetes names and, for control
     * planes, that etcd keeps a healthy majority (asked on a control plane that stays).
     *
     * @param controlPlanes every control plane of the cluster (those staying are among them), asked for
     *                      only when a control plane is removed
     * @param where         the parameter that chose the nodes, as refusals name it
     * @throws ParameterException when a control plane's removal would cost etcd its quorum, or none would stay
     */
    public static Removal check(KubeadmSteps steps, List<ScriptRunner> nodes, Supplier<List<ScriptRunner>> controlPlanes, String where) {
        Map<String, KubeadmSteps.NodeDescription> described = steps.describeNodes(nodes);
        List<String> kubernetesNames = new ArrayList<>(new LinkedHashSet<>(described.values().stream()
                .map(KubeadmSteps.NodeDescription::kubernetesName).toList()));
        List<String> removedControlPlanes = described.values().stream().filter(KubeadmSteps.NodeDescription::controlPlane)
                .map(KubeadmSteps.NodeDescription::kubernetesName).toList();
        if (removedControlPlanes.isEmpty()) {
            return new Removal(kubernetesNames, List.of(), null, null);
        }
        List<String> removedNodes = nodes.stream().map(ScriptRunner::nodeName).toList();
        ScriptRunner staying = controlPlanes.get().stream().filter(cp -> !removedNodes.contains(cp.nodeName())).findFirst()
                .orElseThrow(() -> new ParameterException(where, "removes every control plane (" + String.join(", ", removedControlPlanes)
                        + "); nothing was changed", "control planes while at least one other stays (resetNode takes down a whole cluster)"));
        EtcdMembers members = steps.etcdMembers(staying, null);
        members.checkQuorumWithout(removedControlPlanes, where);
        return new Removal(kubernetesNames, removedControlPlanes, staying, members);
    }

    /** What {@link #check} found: the Nodes to remove, the control planes among them, and etcd as a staying control plane sees it. */
    public record Removal(List<String> kubernetesNames, List<String> controlPlanes, ScriptRunner stayingControlPlane,
                          EtcdMembers etcdMembers) {

        /** Each removed control plane's etcd member leaves etcd, one at a time, asked on the control plane that stays. */
        public void removeEtcdMembers(KubeadmSteps steps, Consumer<String> say) {
            for (String name : controlPlanes) {
                EtcdMembers.Member member = etcdMembers.named(name);
                if (member == null) {
                    say.accept("removeNode: " + name + " has no etcd member (already removed)");
                    continue;
                }
                EtcdMembers left = steps.etcdMembers(stayingControlPlane, member.id());
                say.accept("removeNode: etcd member " + name + " removed; etcd has " + left.members().size() + " members: "
                        + String.join(", ", left.members().stream().map(EtcdMembers.Member::name).toList()));
            }
        }
    }

    /** The API server's part, wherever the step reaches it from (the plugin runs it on the control plane's agent). */
    public static RemovalResult drain(ClusterSteps cluster, Removal removal, long drainTimeoutSeconds) {
        return drain(cluster, removal.kubernetesNames(), removal.controlPlanes(), drainTimeoutSeconds);
    }

    /** @param controlPlanes the Nodes among them that are control planes checked by {@link #check} */
    public static RemovalResult drain(ClusterSteps cluster, List<String> kubernetesNodeNames, List<String> controlPlanes,
                                      long drainTimeoutSeconds) {
        return cluster.removeNodes(new RemoveNodeOptions().nodes(kubernetesNodeNames).controlPlanes(controlPlanes)
                .drainTimeoutSeconds(drainTimeoutSeconds));
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
