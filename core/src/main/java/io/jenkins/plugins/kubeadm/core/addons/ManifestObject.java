package io.jenkins.plugins.kubeadm.core.addons;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;

/**
 * One API object read from a manifest, with where it was: the 1-based YAML document and, for
 * objects inside a {@code kind: List}, the 1-based item.
 */
public record ManifestObject(int document, Integer item, HasMetadata object) {

    /** Whether the object lives in a namespace; null when the kind is not known to this client. */
    public Boolean namespaced() {
        if (object instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource) {
            return null;
        }
        return object instanceof Namespaced;
    }

    /** {@code document 3 (Deployment web)} or {@code document 1, item 6 (DaemonSet weave-net)}. */
    public String label() {
        return location(document, item) + " (" + object.getKind() + " " + object.getMetadata().getName() + ")";
    }

    static String location(int document, Integer item) {
        return "document " + document + (item == null ? "" : ", item " + item);
    }
}
