package io.jenkins.plugins.kubeadm.core.cluster;

import java.util.List;

/**
 * What removeNode did on the API server.
 *
 * @param removed the Nodes it drained and deleted
 * @param absent  the Nodes that were already gone (an earlier run deleted them, or they never joined)
 */
public record RemovalResult(List<String> removed, List<String> absent) {

    public RemovalResult {
        removed = List.copyOf(removed);
        absent = List.copyOf(absent);
    }

    /** One line for the console and the step's reply. */
    public String summary() {
        StringBuilder text = new StringBuilder("removeNode: ");
        text.append(removed.isEmpty() ? "no Node drained" : "drained and deleted " + String.join(", ", removed));
        if (!absent.isEmpty()) {
            text.append("; already not in the cluster: ").append(String.join(", ", absent));
        }
        return text.toString();
    }
}
