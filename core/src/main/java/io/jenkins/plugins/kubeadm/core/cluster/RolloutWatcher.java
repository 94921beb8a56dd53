package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Waits, through {@link Watches}, until Deployments, StatefulSets and DaemonSets have rolled out by
 * {@link Rollouts}' rules; when the wait gives up, {@link Diagnosis#workloads} says why. It also
 * watches their pods, so that a rollout whose pods cannot pull their image fails once the image pull
 * grace period has passed ({@link ImagePullFailures}) instead of at the timeout.
 */
final class RolloutWatcher {

    private final KubernetesClient client;
    private final Consumer<String> progress;
    private final Duration timeout;
    private final Duration heartbeat;
    private final Duration imagePullGrace;

    RolloutWatcher(KubernetesClient client, Consumer<String> progress, Duration timeout, Duration heartbeat,
                   Duration imagePullGrace) {
        this.client = client;
        this.progress = progress;
        this.timeout = timeout;
        this.heartbeat = heartbeat;
        this.imagePullGrace = imagePullGrace;
    }

    /** What one wait watches: each workload and, where its selector has labels, its pods. */
    private record Watched(Map<String, Watches.View<? extends HasMetadata>> workloads, Map<String, Watches.View<Pod>> pods,
                           Map<String, HasMetadata> applied, ImagePullFailures pullFailures) {
    }

    /**
     * @param what      "rollout" or "rollback": names the wait in progress lines and the timeout message
     * @param workloads by the label shown in progress lines, e.g. {@code deployment.apps/web (shop)}
     * @throws WaitTimeoutException when one is still rolling out at the timeout
     * @throws WaitFailedException  when one has failed for good (progress deadline exceeded, or a pod that
     *                              cannot pull its image for the grace period)
     */
    void await(String what, Map<String, HasMetadata> workloads) {
        try (Watches watches = new Watches()) {
            Map<String, Watches.View<? extends HasMetadata>> views = new LinkedHashMap<>();
            Map<String, Watches.View<Pod>> pods = new LinkedHashMap<>();
            for (var entry : workloads.entrySet()) {
                views.put(entry.getKey(), watch(watches, entry.getValue()));
                LabelSelector selector = Diagnosis.selectorOf(entry.getValue());
                if (selector != null && selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty()) {
                    String ns = entry.getValue().getMetadata().getNamespace();
                    pods.put(entry.getKey(), watches.watch(client.pods().inNamespace(ns).withLabels(selector.getMatchLabels()),
                            "pods", ns));
                }
            }
            Watched watched = new Watched(views, pods, workloads, new ImagePullFailures(imagePullGrace));
            watches.await(what, timeout, heartbeat, progress, () -> check(what, watched));
        }
    }

    private Watches.View<? extends HasMetadata> watch(Watches watches, HasMetadata w) {
        String ns = w.getMetadata().getNamespace();
        String name = w.getMetadata().getName();
        if (w instanceof Deployment) {
            return watches.watch(client.apps().deployments().inNamespace(ns).withName(name), "deployments.apps", ns);
        }
        if (w instanceof StatefulSet) {
            return watches.watch(client.apps().statefulSets().inNamespace(ns).withName(name), "statefulsets.apps", ns);
        }
        return watches.watch(client.apps().daemonSets().inNamespace(ns).withName(name), "daemonsets.apps", ns);
    }

    private Readiness check(String what, Watched watched) {
        List<String> parts = new ArrayList<>();
        String failure = null;
        int done = 0;
        for (var entry : watched.workloads().entrySet()) {
            Rollouts.State state = Rollouts.of(entry.getValue().first());
            if (state.done()) {
                done++;
            } else {
                parts.add(entry.getKey() + ": " + state.progress());
            }
            if (state.failure() != null && failure == null) {
                failure = what + " failed: " + state.failure();
            }
        }
        String summary = what + ": " + done + "/" + watched.workloads().size() + " complete"
                + (parts.isEmpty() ? "" : "; " + String.join("; ", parts));
        if (parts.isEmpty()) {
            return Readiness.ready(summary);
        }
        List<HasMetadata> notDone = new ArrayList<>();
        List<ImagePullFailures.RollingOut> rollingOut = new ArrayList<>();
        for (var entry : watched.workloads().entrySet()) {
            HasMetadata live = entry.getValue().first();
            if (!Rollouts.of(live).done()) {
                // Gone from the informer (deleted meanwhile): the applied object still names its pods' selector.
                notDone.add(live == null ? watched.applied().get(entry.getKey()) : live);
                Watches.View<Pod> pods = watched.pods().get(entry.getKey());
                if (live != null && pods != null) {
                    rollingOut.add(new ImagePullFailures.RollingOut(live, pods.list()));
                }
            }
        }
        ImagePullFailures.Verdict pulls = watched.pullFailures().check(rollingOut, System.nanoTime());
        if (failure == null && pulls.failure() != null) {
            failure = what + " failed: " + pulls.failure();
        }
        return failure != null ? Readiness.failed(summary, failure, () -> Diagnosis.workloads(client, notDone))
                : Readiness.waiting(summary, () -> Diagnosis.workloads(client, notDone), pulls.recheckIn());
    }
}
