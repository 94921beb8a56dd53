package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.params.Defaults;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Parameters of removeNode's work on the API server: which Nodes, and how long their drain may take. */
public final class RemoveNodeOptions {

    final List<String> nodes = new ArrayList<>();
    final List<String> controlPlanes = new ArrayList<>();
    Duration drainTimeout = Duration.ofSeconds(Defaults.DRAIN_TIMEOUT_SECONDS);
    Duration retryInterval = Duration.ofSeconds(5);

    /** A Kubernetes Node to remove, by its name in the cluster. */
    public RemoveNodeOptions node(String name) {
        nodes.add(Validators.objectName("node", name));
        return this;
    }

    public RemoveNodeOptions nodes(List<String> names) {
        names.forEach(this::node);
        return this;
    }

    /**
     * Nodes among {@link #nodes} that are control planes whose etcd members the caller checked for
     * quorum and removes itself; any other control plane is refused.
     */
    public RemoveNodeOptions controlPlanes(List<String> names) {
        for (String name : names) {
            controlPlanes.add(Validators.objectName("node", name));
        }
        return this;
    }

    public List<String> nodes() {
        return List.copyOf(nodes);
    }

    /** How long each node's pods may take to leave it (evictions a PodDisruptionBudget holds back are retried until then). */
    public RemoveNodeOptions drainTimeoutSeconds(long seconds) {
        drainTimeout = Validators.timeoutSeconds("drainTimeoutSeconds", seconds);
        return this;
    }

    RemoveNodeOptions retryInterval(Duration value) {
        retryInterval = CniOptions.positive(value);
        return this;
    }
}
