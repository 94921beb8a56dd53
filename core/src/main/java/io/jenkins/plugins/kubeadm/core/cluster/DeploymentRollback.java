package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** deployWorkload's rollbackOnFailure: a failed Deployment gets its previous revision's pod template back. */
final class DeploymentRollback {

    static final String REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final KubernetesClient client;
    private final Consumer<String> progress;

    DeploymentRollback(KubernetesClient client, Consumer<String> progress) {
        this.client = client;
        this.progress = progress;
    }

    Deployment current(Deployment d) {
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
    record Rollback(String line, Deployment restored) {
    }

    Rollback rollback(Deployment applied) {
        String ns = applied.getMetadata().getNamespace();
        String name = applied.getMetadata().getName();
        Deployment live = current(applied);
        if (live == null) {
            return new Rollback("deployment " + name + " is gone; nothing to roll back", null);
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
            return new Rollback("could not roll back deployment " + name + ": it has no previous revision (this was its first rollout)", null);
        }
        PodTemplateSpec template = SERIALIZATION.clone(previous.getSpec().getTemplate());
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
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
        return new Rollback(done, result);
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
