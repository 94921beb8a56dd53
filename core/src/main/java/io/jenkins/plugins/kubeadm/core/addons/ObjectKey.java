package io.jenkins.plugins.kubeadm.core.addons;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/** Identifies an API object by kind, namespace (null when cluster-scoped) and name. */
public record ObjectKey(String kind, String namespace, String name) {

    public ObjectKey {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
    }

    public static ObjectKey of(HasMetadata object) {
        return new ObjectKey(object.getKind(), object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    public boolean matches(HasMetadata object) {
        return object != null && object.getMetadata() != null && kind.equals(object.getKind())
                && name.equals(object.getMetadata().getName())
                && Objects.equals(namespace, object.getMetadata().getNamespace());
    }

    /** kubectl's spelling: {@code DaemonSet kube-flannel/kube-flannel-ds} or {@code ClusterRole flannel}. */
    @Override
    public String toString() {
        return kind + " " + (namespace == null ? name : namespace + "/" + name);
    }
}
