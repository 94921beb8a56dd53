package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionCondition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.kubeadm.core.addons.ManifestException;
import io.jenkins.plugins.kubeadm.core.addons.ManifestObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Objects of kinds this client has no class for (custom resources): each must be defined by a
 * CustomResourceDefinition in the same manifests or already be known to the cluster, checked
 * before anything is applied; the definitions they need are awaited until Established, since an
 * API server refuses a custom resource whose definition it does not serve yet.
 */
final class CustomResources {

    /**
     * @param namespaced  for each custom object, whether its kind is namespaced (identity keys: objects are mutable)
     * @param definitions the CRDs in the manifests that define a kind used in them, to await before applying those
     */
    record Plan(Map<HasMetadata, Boolean> namespaced, List<CustomResourceDefinition> definitions) {

        Boolean namespaced(ManifestObject object) {
            return object.namespaced() != null ? object.namespaced() : namespaced.get(object.object());
        }
    }

    private final KubernetesClient client;
    private final Consumer<String> progress;

    CustomResources(KubernetesClient client, Consumer<String> progress) {
        this.client = client;
        this.progress = progress;
    }

    /** @throws ManifestException naming each document whose kind neither the manifests nor the cluster define; nothing was applied */
    Plan plan(List<ManifestObject> objects) {
        List<CustomResourceDefinition> inManifests = objects.stream().map(ManifestObject::object)
                .filter(CustomResourceDefinition.class::isInstance).map(CustomResourceDefinition.class::cast).toList();
        Map<HasMetadata, Boolean> namespaced = new IdentityHashMap<>();
        Map<String, CustomResourceDefinition> awaited = new LinkedHashMap<>();
        Map<String, Optional<APIResourceList>> discovery = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (ManifestObject object : objects) {
            if (!(object.object() instanceof GenericKubernetesResource resource)) {
                continue;
            }
            String apiVersion = resource.getApiVersion();
            String kind = resource.getKind();
            CustomResourceDefinition definition = inManifests.stream().filter(d -> defines(d, apiVersion, kind)).findFirst().orElse(null);
            if (definition != null) {
                namespaced.put(resource, !"Cluster".equals(definition.getSpec().getScope()));
                awaited.put(definition.getMetadata().getName(), definition);
                continue;
            }
            APIResource known = discovery.computeIfAbsent(apiVersion, this::discover)
                    .flatMap(list -> list.getResources().stream()
                            .filter(r -> kind.equals(r.getKind()) && r.getName() != null && !r.getName().contains("/")).findFirst())
                    .orElse(null);
            if (known == null) {
                problems.add(object.label() + ": the cluster does not know kind " + kind + " in " + apiVersion
                        + ", and no CustomResourceDefinition in these manifests defines it (install its CRD first, or add it to the manifests)");
            } else {
                namespaced.put(resource, Boolean.TRUE.equals(known.getNamespaced()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ManifestException("invalid manifests: " + String.join("; ", problems) + "; nothing was applied");
        }
        return new Plan(namespaced, List.copyOf(awaited.values()));
    }

    private static boolean defines(CustomResourceDefinition definition, String apiVersion, String kind) {
        var spec = definition.getSpec();
        if (spec == null || spec.getNames() == null || !kind.equals(spec.getNames().getKind()) || spec.getVersions() == null) {
            return false;
        }
        for (CustomResourceDefinitionVersion version : spec.getVersions()) {
            if (apiVersion.equals(spec.getGroup() + "/" + version.getName()) && !Boolean.FALSE.equals(version.getServed())) {
                return true;
            }
        }
        return false;
    }

    /** The cluster's resources of one group version; empty when it serves none. */
    private Optional<APIResourceList> discover(String apiVersion) {
        try {
            return Optional.ofNullable(client.getApiResources(apiVersion));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw ApiErrors.translate(e, "get", "API discovery for " + apiVersion, null, null);
        }
    }

    /**
     * Waits until every definition is Established; one whose names the API server did not accept
     * fails at once with the server's reason.
     */
    void awaitEstablished(List<CustomResourceDefinition> definitions, Duration timeout, Duration heartbeat) {
        try (Watches watches = new Watches()) {
            Map<String, Watches.View<CustomResourceDefinition>> views = new LinkedHashMap<>();
            for (CustomResourceDefinition d : definitions) {
                String name = d.getMetadata().getName();
                views.put(name, watches.watch(client.apiextensions().v1().customResourceDefinitions().withName(name),
                        "customresourcedefinitions.apiextensions.k8s.io", null));
            }
            watches.await("CustomResourceDefinitions", timeout, heartbeat, progress, () -> {
                List<String> waiting = new ArrayList<>();
                String failure = null;
                for (var entry : views.entrySet()) {
                    CustomResourceDefinition live = entry.getValue().first();
                    if (condition(live, "Established", "True") != null) {
                        continue;
                    }
                    CustomResourceDefinitionCondition rejected = condition(live, "NamesAccepted", "False");
                    if (rejected != null && failure == null) {
                        failure = "CustomResourceDefinition " + entry.getKey() + " was not accepted: " + rejected.getReason()
                                + (rejected.getMessage() == null ? "" : " (" + rejected.getMessage() + ")");
                    }
                    waiting.add(entry.getKey() + ": " + (live == null ? "not found" : "not Established yet"));
                }
                String summary = "CustomResourceDefinitions established: " + (views.size() - waiting.size()) + "/" + views.size()
                        + (waiting.isEmpty() ? "" : "; " + String.join("; ", waiting));
                if (waiting.isEmpty()) {
                    return Readiness.ready(summary);
                }
                return failure != null ? Readiness.failed(summary, failure, () -> waiting) : Readiness.waiting(summary, () -> waiting);
            });
        }
    }

    private static CustomResourceDefinitionCondition condition(CustomResourceDefinition d, String type, String status) {
        if (d == null || d.getStatus() == null || d.getStatus().getConditions() == null) {
            return null;
        }
        return d.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus())).findFirst().orElse(null);
    }
}
