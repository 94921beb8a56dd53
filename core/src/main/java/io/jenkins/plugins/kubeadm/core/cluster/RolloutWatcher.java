package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
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
 * {@link Rollouts}' rules; when the wait gives up, {@link Diagnosis#workloads} says why.
 */
final class RolloutWatcher {

    private final KubernetesClient client;
    private final Consumer<String> progress;
    private final Duration timeout;
    private final Duration heartbeat;

    RolloutWatcher(KubernetesClient client, Consumer<String> progress, Duration timeout, Duration heartbeat) {
        this.client = client;
        this.progress = progress;
        this.timeout = timeout;
        this.heartbeat = heartbeat;
    }

    /**
     * @param what      "rollout" or "rollback": names the wait in progress lines and the timeout message
     * @param workloads by the label shown in progress lines, e.g. {@code deployment.apps/web (shop)}
     * @throws WaitTimeoutException when one is still rolling out at the timeout
     * @throws WaitFailedException  when one has failed for good (progress deadline exceeded)
     */
    void await(String what, Map<String, HasMetadata> workloads) {
        try (Watches watches = new Watches()) {
            Map<String, Watches.View<? extends HasMetadata>> views = new LinkedHashMap<>();
            for (var entry : workloads.entrySet()) {
                views.put(entry.getKey(), watch(watches, entry.getValue()));
            }
            watches.await(what, timeout, heartbeat, progress, () -> check(what, views, workloads));
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

    private Readiness check(String what, Map<String, Watches.View<? extends HasMetadata>> views,
                            Map<String, HasMetadata> workloads) {
        List<String> parts = new ArrayList<>();
        String failure = null;
        int done = 0;
        for (var entry : views.entrySet()) {
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
        String summary = what + ": " + done + "/" + views.size() + " complete"
                + (parts.isEmpty() ? "" : "; " + String.join("; ", parts));
        if (parts.isEmpty()) {
            return Readiness.ready(summary);
        }
        List<HasMetadata> notDone = new ArrayList<>();
        for (var entry : views.entrySet()) {
            HasMetadata live = entry.getValue().first();
            if (!Rollouts.of(live).done()) {
                // Gone from the informer (deleted meanwhile): the applied object still names its pods' selector.
                notDone.add(live == null ? workloads.get(entry.getKey()) : live);
            }
        }
        return failure != null ? Readiness.failed(summary, failure, () -> Diagnosis.workloads(client, notDone))
                : Readiness.waiting(summary, () -> Diagnosis.workloads(client, notDone));
    }
}
