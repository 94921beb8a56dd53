package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Waits, with watches, until Deployments, StatefulSets and DaemonSets have rolled out; names what has not and why. */
final class RolloutWaits {

    private static final int MAX_DETAILS = 20;

    private final KubernetesClient client;
    private final Consumer<String> progress;

    RolloutWaits(KubernetesClient client, Consumer<String> progress) {
        this.client = client;
        this.progress = progress;
    }

    /** @param what "rollout" or "rollback": names the wait in progress lines and the timeout message */
    void await(Map<String, HasMetadata> workloads, String what, WorkloadOptions options) {
        try (Watches watches = new Watches()) {
            Map<String, Watches.View<? extends HasMetadata>> views = new LinkedHashMap<>();
            for (var entry : workloads.entrySet()) {
                HasMetadata w = entry.getValue();
                String ns = w.getMetadata().getNamespace();
                String name = w.getMetadata().getName();
                Watches.View<? extends HasMetadata> view;
                if (w instanceof Deployment) {
                    view = watches.watch(client.apps().deployments().inNamespace(ns).withName(name), "deployments.apps", ns);
                } else if (w instanceof StatefulSet) {
                    view = watches.watch(client.apps().statefulSets().inNamespace(ns).withName(name), "statefulsets.apps", ns);
                } else {
                    view = watches.watch(client.apps().daemonSets().inNamespace(ns).withName(name), "daemonsets.apps", ns);
                }
                views.put(entry.getKey(), view);
            }
            watches.await(what, options.timeout, options.heartbeat, progress, () -> {
                List<String> parts = new ArrayList<>();
                List<String> pending = new ArrayList<>();
                String failure = null;
                int done = 0;
                for (var entry : views.entrySet()) {
                    Rollouts.State state = Rollouts.of(entry.getValue().first());
                    if (state.done()) {
                        done++;
                    } else {
                        parts.add(entry.getKey() + ": " + state.progress());
                        pending.add(entry.getKey());
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
                        notDone.add(live == null ? workloads.get(entry.getKey()) : live);
                    }
                }
                return failure != null ? Readiness.failed(summary, failure, () -> Diagnosis.workloads(client, notDone, MAX_DETAILS))
                        : Readiness.waiting(summary, () -> Diagnosis.workloads(client, notDone, MAX_DETAILS));
            });
        }
    }

}
