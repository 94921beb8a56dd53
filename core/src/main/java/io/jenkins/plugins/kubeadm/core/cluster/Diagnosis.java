package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Says, in one line, why a node, pod or workload is not ready, using the reasons the API server reports. */
final class Diagnosis {

    private static final int MAX_MESSAGE = 240;
    /** Keeps a failure message readable when a workload has many broken pods. */
    static final int MAX_DETAILS = 20;

    private Diagnosis() {
    }

    static boolean isReady(Node node) {
        return condition(node, "Ready") != null && "True".equals(condition(node, "Ready").getStatus());
    }

    static boolean isReady(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return false;
        }
        return pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** {@code node w2 is NotReady: KubeletNotReady: container runtime network not ready ...}. */
    static String node(Node node) {
        NodeCondition ready = condition(node, "Ready");
        String name = node.getMetadata().getName();
        if (ready == null) {
            return "node " + name + " has not reported a Ready condition yet";
        }
        return "node " + name + " is NotReady" + reason(ready.getReason(), ready.getMessage());
    }

    /** One line on why a pod is not ready: scheduling, image pulls, crash loops, failing probes. */
    static String pod(Pod pod) {
        String name = "pod " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()
                + (pod.getSpec() != null && pod.getSpec().getNodeName() != null ? " on node " + pod.getSpec().getNodeName() : "");
        var status = pod.getStatus();
        if (status == null) {
            return name + " has no status yet";
        }
        if (status.getConditions() != null) {
            for (PodCondition c : status.getConditions()) {
                if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())) {
                    return name + " is not scheduled" + reason(c.getReason(), c.getMessage());
                }
            }
        }
        String containers = containerProblem(status.getInitContainerStatuses(), "init container ");
        if (containers == null) {
            containers = containerProblem(status.getContainerStatuses(), "container ");
        }
        if (containers != null) {
            return name + ": " + containers;
        }
        return name + " is " + (status.getPhase() == null ? "pending" : status.getPhase())
                + reason(status.getReason(), status.getMessage());
    }

    /**
     * For each workload still rolling out: its progress ({@code deployment.apps/web in shop: 2/2 updated,
     * 0/2 available}), then each of its pods that is not ready, as {@link #pod}; at most {@link #MAX_DETAILS} lines.
     */
    static List<String> workloads(KubernetesClient client, List<HasMetadata> notDone) {
        List<String> details = new ArrayList<>();
        for (HasMetadata w : notDone) {
            String namespace = w.getMetadata().getNamespace();
            details.add(ApiErrors.kubectlName(w) + " in " + namespace + ": " + Rollouts.of(w).progress());
            LabelSelector selector = selectorOf(w);
            if (selector == null || selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty()) {
                continue;
            }
            pods(client, namespace, selector.getMatchLabels()).stream().filter(p -> !isReady(p))
                    .forEach(p -> details.add(pod(p)));
        }
        return details.size() > MAX_DETAILS ? details.subList(0, MAX_DETAILS) : details;
    }

    /** The selector of a Deployment, StatefulSet or DaemonSet's pods; null for anything else. */
    static LabelSelector selectorOf(HasMetadata w) {
        if (w instanceof Deployment d) {
            return d.getSpec().getSelector();
        }
        if (w instanceof StatefulSet s) {
            return s.getSpec().getSelector();
        }
        if (w instanceof DaemonSet d) {
            return d.getSpec().getSelector();
        }
        return null;
    }

    /** The pods a diagnosis looks at; a refused list is reported like any other API error. */
    static List<Pod> pods(KubernetesClient client, String namespace, Map<String, String> labels) {
        try {
            return client.pods().inNamespace(namespace).withLabels(labels).list().getItems();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "list", "pods", namespace, null);
        }
    }

    private static String containerProblem(List<ContainerStatus> statuses, String label) {
        if (statuses == null) {
            return null;
        }
        for (ContainerStatus s : statuses) {
            if (Boolean.TRUE.equals(s.getReady())) {
                continue;
            }
            String restarts = s.getRestartCount() != null && s.getRestartCount() > 0 ? " (restarts: " + s.getRestartCount()
                    + lastExit(s) + ")" : "";
            var state = s.getState();
            if (state != null && state.getWaiting() != null) {
                return label + s.getName() + " waiting" + reason(state.getWaiting().getReason(),
                        state.getWaiting().getMessage()) + restarts;
            }
            if (state != null && state.getTerminated() != null) {
                var t = state.getTerminated();
                if ("Completed".equals(t.getReason()) && label.startsWith("init")) {
                    continue;
                }
                return label + s.getName() + " terminated" + reason(t.getReason(), t.getMessage())
                        + " (exit code " + t.getExitCode() + ")" + restarts;
            }
            if (state != null && state.getRunning() != null) {
                return label + s.getName() + " is running but not ready (readiness probe failing)" + restarts;
            }
        }
        return null;
    }

    private static String lastExit(ContainerStatus s) {
        if (s.getLastState() == null || s.getLastState().getTerminated() == null) {
            return "";
        }
        var t = s.getLastState().getTerminated();
        return ", last exit: " + (t.getReason() == null ? "" : t.getReason() + " ") + "code " + t.getExitCode();
    }

    /** The node's NoSchedule/NoExecute taints that none of the tolerations tolerates. */
    static List<String> untoleratedTaints(Node node, List<Toleration> tolerations) {
        List<String> untolerated = new ArrayList<>();
        if (node.getSpec() == null || node.getSpec().getTaints() == null) {
            return untolerated;
        }
        for (Taint taint : node.getSpec().getTaints()) {
            if ("PreferNoSchedule".equals(taint.getEffect())) {
                continue;
            }
            boolean tolerated = tolerations != null && tolerations.stream().anyMatch(t -> tolerates(t, taint));
            if (!tolerated) {
                untolerated.add(taint.getKey() + (taint.getValue() == null || taint.getValue().isEmpty() ? "" : "=" + taint.getValue())
                        + ":" + taint.getEffect());
            }
        }
        return untolerated;
    }

    private static boolean tolerates(Toleration t, Taint taint) {
        if (t.getEffect() != null && !t.getEffect().isEmpty() && !t.getEffect().equals(taint.getEffect())) {
            return false;
        }
        if ("Exists".equals(t.getOperator())) {
            return t.getKey() == null || t.getKey().isEmpty() || t.getKey().equals(taint.getKey());
        }
        return Objects.equals(t.getKey(), taint.getKey())
                && Objects.equals(t.getValue() == null ? "" : t.getValue(), taint.getValue() == null ? "" : taint.getValue());
    }

    private static NodeCondition condition(Node node, String type) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return null;
        }
        return node.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    /** {@code ": REASON: MESSAGE"}, the message on one line and cut at {@value #MAX_MESSAGE} characters. */
    static String reason(String reason, String message) {
        StringBuilder sb = new StringBuilder();
        if (reason != null && !reason.isBlank()) {
            sb.append(": ").append(reason);
        }
        if (message != null && !message.isBlank()) {
            String m = message.strip().replace('\n', ' ');
            sb.append(sb.length() == 0 ? ": " : ": ").append(m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m);
        }
        return sb.toString();
    }
}
