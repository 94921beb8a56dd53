package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * deployWorkload's rollbackOnFailure: each Deployment that did not roll out is rolled back like
 * {@code kubectl rollout undo}, then the rollbacks are awaited as any rollout is.
 */
final class DeploymentRollback {

    /** The deployment controller's revision number on a Deployment and on each of its ReplicaSets. */
    static final String REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final KubernetesClient client;
    private final Consumer<String> progress;

    DeploymentRollback(KubernetesClient client, Consumer<String> progress) {
        this.client = client;
        this.progress = progress;
    }

    /** What one rollback did, and the Deployment as applied by it (null when nothing was rolled back). */
    private record Outcome(String line, Deployment restored) {
    }

    /**
     * Rolls back every Deployment among {@code workloads} whose rollout is not done, and waits for those rollbacks.
     *
     * @return what was done, for the step's failure message: each rollback's line, then whether the previous
     *         revisions are available again
     */
    String rollBackUnfinished(Map<String, HasMetadata> workloads, RolloutWatcher watcher) {
        List<String> rollbacks = new ArrayList<>();
        Map<String, HasMetadata> rolledBack = new LinkedHashMap<>();
        for (var entry : workloads.entrySet()) {
            if (entry.getValue() instanceof Deployment d && !Rollouts.deployment(current(d)).done()) {
                Outcome outcome = rollBack(d);
                rollbacks.add(outcome.line());
                if (outcome.restored() != null) {
                    rolledBack.put(entry.getKey(), outcome.restored());
                }
            }
        }
        return (rollbacks.isEmpty() ? "no Deployment to roll back" : String.join("; ", rollbacks))
                + awaitRollbacks(rolledBack, watcher);
    }

    /**
     * Waits for the rolled-back Deployments as for any rollout, and says whether their previous
     * revision is available again; a rollback that does not come back is reported, not thrown, so
     * the step's failure stays the original rollout's.
     */
    private String awaitRollbacks(Map<String, HasMetadata> rolledBack, RolloutWatcher watcher) {
        if (rolledBack.isEmpty()) {
            return "";
        }
        List<String> names = rolledBack.values().stream().map(ApiErrors::kubectlName).toList();
        try {
            watcher.await("rollback", rolledBack);
        } catch (WaitTimeoutException | WaitFailedException e) {
            String line = "the previous revision is NOT available again: " + e.getMessage();
            progress.accept(line);
            return "; " + line;
        }
        String line = "the previous revision is available again: " + String.join(", ", names);
        progress.accept(line);
        return "; " + line;
    }

    private Deployment current(Deployment d) {
        try {
            return client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName()).get();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "get", "deployments.apps", d.getMetadata().getNamespace(), d.getMetadata().getName());
        }
    }

    /**
     * Like {@code kubectl rollout undo}: the pod template of the ReplicaSet with the highest
     * revision below the current one becomes the Deployment's template again.
     */
    private Outcome rollBack(Deployment applied) {
        String ns = applied.getMetadata().getNamespace();
        String name = applied.getMetadata().getName();
        Deployment live = current(applied);
        if (live == null) {
            return new Outcome("deployment " + name + " is gone; nothing to roll back", null);
        }
        List<ReplicaSet> owned;
        try {
            owned = client.apps().replicaSets().inNamespace(ns).withLabels(live.getSpec().getSelector().getMatchLabels())
                    .list().getItems().stream()
                    .filter(rs -> rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences().stream()
                            .anyMatch(o -> live.getMetadata().getUid().equals(o.getUid())))
                    .toList();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "list", "replicasets.apps", ns, null);
        }
        long currentRevision = revision(live.getMetadata().getAnnotations());
        if (currentRevision == 0) {
            currentRevision = owned.stream().mapToLong(rs -> revision(rs.getMetadata().getAnnotations())).max().orElse(0);
        }
        long below = currentRevision;
        ReplicaSet previous = owned.stream().filter(rs -> revision(rs.getMetadata().getAnnotations()) < below)
                .max(Comparator.comparingLong(rs -> revision(rs.getMetadata().getAnnotations()))).orElse(null);
        if (previous == null) {
            return new Outcome("could not roll back deployment " + name + ": it has no previous revision (this was its first rollout)", null);
        }
        PodTemplateSpec template = SERIALIZATION.clone(previous.getSpec().getTemplate());
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            // The controller adds pod-template-hash to its ReplicaSets' templates; the Deployment's own has none.
            Map<String, String> labels = new HashMap<>(template.getMetadata().getLabels());
            labels.remove("pod-template-hash");
            template.getMetadata().setLabels(labels);
        }
        Deployment restored = SERIALIZATION.clone(applied);
        restored.getMetadata().setResourceVersion(null);
        restored.getMetadata().setManagedFields(null);
        restored.setStatus(null);
        restored.getSpec().setTemplate(template);
        Deployment result;
        try {
            result = client.resource(restored).fieldManager(ServerSideApplier.FIELD_MANAGER).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "patch", "deployments.apps", ns, name);
        }
        long revision = revision(previous.getMetadata().getAnnotations());
        String done = "rolled back deployment " + name + " to revision " + revision;
        progress.accept(done);
        return new Outcome(done, result);
    }

    private static long revision(Map<String, String> annotations) {
        String value = annotations == null ? null : annotations.get(REVISION_ANNOTATION);
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
