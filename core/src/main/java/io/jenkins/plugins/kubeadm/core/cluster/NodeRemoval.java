package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * removeNode's work on the API server, as a person does it with kubectl drain and delete, but checked
 * first: a server-side dry run of every eviction the drain needs, refusing before anything changes when
 * a PodDisruptionBudget or a pod without a controller would block it; then per node cordon, evictions
 * (those a budget holds back retried until the drain timeout), and the Node deleted once its pods are
 * gone. DaemonSet pods and static (mirror) pods stay, as kubectl drain leaves them: resetting the node
 * ends them.
 */
final class NodeRemoval {

    static final String CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane";
    private static final String MIRROR_POD = "kubernetes.io/config.mirror";
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final KubernetesClient client;
    private final Consumer<String> progress;

    NodeRemoval(KubernetesClient client, Consumer<String> progress) {
        this.client = Objects.requireNonNull(client, "client");
        this.progress = Objects.requireNonNull(progress, "progress");
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
            blockers.addAll(blockers(node));
        }
        if (!blockers.isEmpty()) {
            throw new ClusterStepException("removeNode: draining " + String.join(", ", present) + " would be blocked, so nothing was changed:\n  "
                    + String.join("\n  ", blockers));
        }
        absent.forEach(node -> progress.accept("removeNode: " + node + " is not a Node of the cluster (already removed?); its reset follows"));
        for (String node : present) {
            drain(node, options);
            client.nodes().withName(node).delete();
            progress.accept("removeNode: Node " + node + " deleted");
        }
        return new RemovalResult(present, absent);
    }

    /** What would keep a drain of this node from finishing now, one line per pod; empty when nothing would. */
    List<String> blockers(String node) {
        List<String> blockers = new ArrayList<>();
        List<Pod> pods = podsToEvict(node);
        progress.accept("removeNode: " + node + ": dry run of " + pods.size() + " eviction(s)");
        for (Pod pod : pods) {
            if (controller(pod) == null) {
                blockers.add(key(pod) + " on " + node + ": no controller would start it again elsewhere (a bare Pod); delete it, or run it"
                        + " under a Deployment, StatefulSet or Job");
            } else if (!evict(pod, true)) {
                blockers.add(key(pod) + " on " + node + ": " + budgetsOf(pod));
            }
        }
        return blockers;
    }

    private void drain(String node, RemoveNodeOptions options) {
        client.nodes().withName(node).edit(n -> new NodeBuilder(n).editOrNewSpec().withUnschedulable(true).endSpec().build());
        progress.accept("removeNode: " + node + " cordoned; evicting its pods");
        Instant deadline = Instant.now().plus(options.drainTimeout);
        Instant nextReport = Instant.now().plus(HEARTBEAT);
        while (true) {
            List<Pod> left = podsToEvict(node);
            if (left.isEmpty()) {
                progress.accept("removeNode: " + node + " drained");
                return;
            }
            List<String> held = new ArrayList<>();
            for (Pod pod : left) {
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    held.add(key(pod) + " (terminating)");
                } else if (!evict(pod, false)) {
                    held.add(key(pod) + " (" + budgetsOf(pod) + ")");
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new WaitTimeoutException("removeNode: the pods on " + node + " did not leave within " + options.drainTimeout.toSeconds()
                        + " s; " + node + " stays cordoned (kubectl uncordon " + node + " undoes it; removeNode again goes on): "
                        + String.join("; ", held), held);
            }
            if (Instant.now().isAfter(nextReport)) {
                progress.accept("removeNode: " + node + ": " + left.size() + " pod(s) still there: " + String.join("; ", held));
                nextReport = Instant.now().plus(HEARTBEAT);
            }
            sleep(options.retryInterval);
        }
    }

    /** The pods a drain moves: not DaemonSet or static pods, not finished ones. */
    private List<Pod> podsToEvict(String node) {
        return client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems().stream()
                .filter(p -> p.getMetadata().getAnnotations() == null || !p.getMetadata().getAnnotations().containsKey(MIRROR_POD))
                .filter(p -> controller(p) == null || !"DaemonSet".equals(controller(p).getKind()))
                .filter(p -> p.getStatus() == null || !List.of("Succeeded", "Failed").contains(p.getStatus().getPhase()))
                .toList();
    }

    private static OwnerReference controller(Pod pod) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        return owners == null ? null : owners.stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst().orElse(null);
    }

    /** Evicts through the API, which honours PodDisruptionBudgets; false when a budget refuses it now (HTTP 429). */
    private boolean evict(Pod pod, boolean dryRun) {
        Eviction eviction = new EvictionBuilder().withNewMetadata().withName(pod.getMetadata().getName())
                .withNamespace(pod.getMetadata().getNamespace()).endMetadata()
                .withDeleteOptions(dryRun ? new DeleteOptionsBuilder().withDryRun("All").build() : new DeleteOptions()).build();
        try {
            return client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).evict(eviction);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return true; // gone already
            }
            throw ApiErrors.translate(e, "create", "pods/eviction", pod.getMetadata().getNamespace(), pod.getMetadata().getName());
        }
    }

    /** The budgets that cover a pod, each with what it allows now. */
    private String budgetsOf(Pod pod) {
        List<String> names = new ArrayList<>();
        for (PodDisruptionBudget budget : client.policy().v1().podDisruptionBudget().inNamespace(pod.getMetadata().getNamespace()).list()
                .getItems()) {
            if (budget.getSpec() != null && selects(budget.getSpec().getSelector(), pod.getMetadata().getLabels())) {
                var status = budget.getStatus();
                names.add("PodDisruptionBudget " + budget.getMetadata().getNamespace() + "/" + budget.getMetadata().getName()
                        + (status == null ? "" : " allows " + status.getDisruptionsAllowed() + " disruption(s) now (" + status.getCurrentHealthy()
                        + " healthy, " + status.getDesiredHealthy() + " needed)"));
            }
        }
        return names.isEmpty() ? "the API server refused its eviction for now (a disruption budget)" : String.join(", ", names);
    }

    /** Whether a label selector selects these labels (an empty selector selects every pod, as for a budget). */
    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        Map<String, String> have = labels == null ? Map.of() : labels;
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
                if (!wanted.getValue().equals(have.get(wanted.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = have.get(r.getKey());
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                boolean ok = switch (r.getOperator()) {
                    case "In" -> value != null && values.contains(value);
                    case "NotIn" -> value == null || !values.contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterStepException("removeNode: interrupted while draining");
        }
    }
}
