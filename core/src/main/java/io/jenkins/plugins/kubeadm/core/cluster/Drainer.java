package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
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
 * A drain as kubectl drain does it, for removeNode and upgradeCluster: first, when asked, a
 * server-side dry run of every eviction it needs, naming each pod a PodDisruptionBudget or a missing
 * controller would keep; then cordon, and evictions through the API (which honours the budgets),
 * those held back retried until the timeout. DaemonSet pods and static (mirror) pods stay.
 */
final class Drainer {

    private static final String MIRROR_POD = "kubernetes.io/config.mirror";
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final KubernetesClient client;
    private final Consumer<String> progress;
    private final String step;

    /** @param step the step whose drain this is, as progress and failures name it */
    Drainer(KubernetesClient client, Consumer<String> progress, String step) {
        this.client = Objects.requireNonNull(client, "client");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.step = Objects.requireNonNull(step, "step");
    }

    /** What would keep a drain of this node from finishing now, one line per pod; empty when nothing would. */
    List<String> blockers(String node) {
        List<String> blockers = new ArrayList<>();
        List<Pod> pods = podsToEvict(node);
        progress.accept(step + ": " + node + ": dry run of " + pods.size() + " eviction(s)");
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

    /** Cordons the node and evicts its pods, retrying those a budget holds back, until none is left or the timeout passes. */
    void drain(String node, Duration timeout, Duration retryInterval) {
        client.nodes().withName(node).edit(n -> new NodeBuilder(n).editOrNewSpec().withUnschedulable(true).endSpec().build());
        progress.accept(step + ": " + node + " cordoned; evicting its pods");
        Instant deadline = Instant.now().plus(timeout);
        Instant nextReport = Instant.now().plus(HEARTBEAT);
        while (true) {
            List<Pod> left = podsToEvict(node);
            if (left.isEmpty()) {
                progress.accept(step + ": " + node + " drained");
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
                throw new WaitTimeoutException(step + ": the pods on " + node + " did not leave within " + timeout.toSeconds()
                        + " s; " + node + " stays cordoned (kubectl uncordon " + node + " undoes it; " + step + " again goes on): "
                        + String.join("; ", held), held);
            }
            if (Instant.now().isAfter(nextReport)) {
                progress.accept(step + ": " + node + ": " + left.size() + " pod(s) still there: " + String.join("; ", held));
                nextReport = Instant.now().plus(HEARTBEAT);
            }
            sleep(retryInterval);
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
            if (e.getCode() == 500 && String.valueOf(e.getMessage()).contains("more than one PodDisruptionBudget")) {
                return false; // the API server evicts no pod two budgets cover: budgetsOf names them
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
        if (names.size() > 1) {
            return String.join(", ", names) + ": the API server evicts no pod that more than one budget covers";
        }
        return names.isEmpty() ? "the API server refused its eviction for now (a disruption budget)" : names.get(0);
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

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterStepException(step + ": interrupted while draining");
        }
    }
}
