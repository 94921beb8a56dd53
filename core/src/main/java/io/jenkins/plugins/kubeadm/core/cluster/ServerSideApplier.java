package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Server-side apply under this project's field manager. Conflicts with other managers are forced:
 * the pipeline declares these objects and is their owner, as with {@code kubectl apply
 * --server-side --force-conflicts}.
 */
final class ServerSideApplier {

    /** The field manager recorded in managedFields for everything the steps apply. */
    static final String FIELD_MANAGER = "kubeadm-pipeline";

    private final KubernetesClient client;
    private final Consumer<String> progress;

    ServerSideApplier(KubernetesClient client, Consumer<String> progress) {
        this.client = client;
        this.progress = progress;
    }

    /**
     * Applies the objects, namespaces and CRDs first (the rest may live in or depend on them), and
     * reports each as kubectl does ({@code deployment.apps/web created}).
     */
    ApplySummary apply(List<HasMetadata> objects) {
        List<HasMetadata> ordered = new ArrayList<>(objects);
        ordered.sort(Comparator.comparingInt(ServerSideApplier::rank));
        List<ApplySummary.Applied> applied = new ArrayList<>();
        for (HasMetadata object : ordered) {
            applied.add(applyOne(object));
        }
        return new ApplySummary(applied);
    }

    private ApplySummary.Applied applyOne(HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        String resource = ApiErrors.resourceOf(object);
        String name = object.getMetadata().getName();
        HasMetadata before;
        try {
            before = client.resource(object).get();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "get", resource, namespace, name);
        }
        HasMetadata after;
        try {
            after = client.resource(object).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "patch", resource, namespace, name);
        }
        ApplySummary.Outcome outcome = before == null ? ApplySummary.Outcome.CREATED
                : Objects.equals(before.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion())
                ? ApplySummary.Outcome.UNCHANGED : ApplySummary.Outcome.CONFIGURED;
        String shown = ApiErrors.kubectlName(object);
        progress.accept(shown + (namespace == null ? "" : " (" + namespace + ")") + " "
                + outcome.name().toLowerCase(Locale.ROOT));
        return new ApplySummary.Applied(shown, namespace, outcome, after);
    }

    private static int rank(HasMetadata object) {
        if (object instanceof Namespace) {
            return 0;
        }
        if (object instanceof CustomResourceDefinition) {
            return 1;
        }
        return 2;
    }
}
