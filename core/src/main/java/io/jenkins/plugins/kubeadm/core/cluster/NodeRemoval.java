package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * removeNode's work on the API server, as a person does it with kubectl drain and delete, but checked
 * first: a server-side dry run of every eviction the drain needs ({@link Drainer}), refusing before
 * anything changes when a PodDisruptionBudget or a pod without a controller would block it; then per
 * node the drain, and the Node deleted once its pods are gone. DaemonSet pods and static (mirror) pods
 * stay, as kubectl drain leaves them: resetting the node ends them.
 */
final class NodeRemoval {

    static final String CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane";

    private final KubernetesClient client;
    private final Consumer<String> progress;
    private final Drainer drainer;

    NodeRemoval(KubernetesClient client, Consumer<String> progress) {
        this.client = Objects.requireNonNull(client, "client");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.drainer = new Drainer(client, progress, "removeNode");
    }

    RemovalResult remove(RemoveNodeOptions options) {
        List<String> present = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        List<String> controlPlanes = new ArrayList<>();
        for (String name : options.nodes()) {
            Node node = client.nodes().withName(name).get();
            if (node == null) {
                absent.add(name);
            } else {
                present.add(name);
                if (node.getMetadata().getLabels() != null && node.getMetadata().getLabels().containsKey(CONTROL_PLANE_ROLE)
                        && !options.controlPlanes.contains(name)) {
                    controlPlanes.add(name);
                }
            }
        }
        if (!controlPlanes.isEmpty()) {
            throw new ClusterStepException("removeNode: " + String.join(", ", controlPlanes) + (controlPlanes.size() == 1 ? " is" : " are")
                    + " a control plane, and its etcd member was not checked for quorum nor taken care of (removeNode on the"
                    + " control-plane node does both). Nothing was changed.");
        }
        List<String> blockers = new ArrayList<>();
        for (String node : present) {
            blockers.addAll(drainer.blockers(node));
        }
        if (!blockers.isEmpty()) {
            throw new ClusterStepException("removeNode: draining " + String.join(", ", present) + " would be blocked, so nothing was changed:\n  "
                    + String.join("\n  ", blockers));
        }
        absent.forEach(node -> progress.accept("removeNode: " + node + " is not a Node of the cluster (already removed?); its reset follows"));
        for (String node : present) {
            drainer.drain(node, options.drainTimeout, options.retryInterval);
            client.nodes().withName(node).delete();
            progress.accept("removeNode: Node " + node + " deleted");
        }
        return new RemovalResult(present, absent);
    }

}
