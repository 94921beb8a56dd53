package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Locale;

/** Turns an API error into a message that says what was attempted, where, and what the server said. */
final class ApiErrors {

    private ApiErrors() {
    }

    /**
     * @param verb      the API verb as RBAC names it: get, list, watch, create, patch, delete
     * @param resource  the resource as RBAC names it, e.g. {@code deployments.apps} or {@code nodes}
     * @param namespace the namespace, or null for a cluster-scoped resource
     * @param name      the object's name, or null for a collection
     */
    static ClusterStepException translate(KubernetesClientException e, String verb, String resource,
                                          String namespace, String name) {
        String target = resource + (name == null ? "" : " " + name)
                + (namespace == null ? " (cluster scope)" : " in namespace " + namespace);
        String serverSays = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage() : null;
        int code = e.getCode();
        if (code == 403) {
            return new ClusterStepException("forbidden: the kubeconfig's user may not " + verb + " " + resource
                    + (namespace == null ? " at cluster scope" : " in namespace " + namespace)
                    + (serverSays == null ? "" : " (API server: " + serverSays + ")")
                    + "; grant it with a Role/ClusterRole binding or use an admin kubeconfig");
        }
        if (code == 401) {
            return new ClusterStepException("unauthorized: the API server rejected the kubeconfig's credentials while trying to "
                    + verb + " " + target + "; the credentials may have expired");
        }
        if (code == 0) {
            Throwable cause = e.getCause();
            return new ClusterStepException("cannot reach the API server to " + verb + " " + target + ": "
                    + (cause == null ? "no response" : cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : " " + cause.getMessage())));
        }
        return new ClusterStepException(verb + " " + target + " failed: HTTP " + code
                + (serverSays == null ? "" : ": " + serverSays));
    }

    /** RBAC's name for an object's resource: {@code deployments.apps}, {@code configmaps}. */
    static String resourceOf(HasMetadata object) {
        if (object instanceof GenericKubernetesResource) {
            String apiVersion = object.getApiVersion();
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            String plural = object.getKind().toLowerCase(Locale.ROOT) + "s";
            return group.isEmpty() ? plural : plural + "." + group;
        }
        String group = HasMetadata.getGroup(object.getClass());
        String plural = HasMetadata.getPlural(object.getClass());
        return group == null || group.isEmpty() ? plural : plural + "." + group;
    }

    /** kubectl's spelling of an object: {@code deployment.apps/web}. */
    static String kubectlName(HasMetadata object) {
        String resource = resourceOf(object);
        int dot = resource.indexOf('.');
        String kind = object.getKind().toLowerCase(Locale.ROOT);
        return (dot < 0 ? kind : kind + resource.substring(dot)) + "/" + object.getMetadata().getName();
    }
}
