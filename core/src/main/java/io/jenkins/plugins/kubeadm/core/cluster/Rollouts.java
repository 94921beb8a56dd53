package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/**
 * Whether a workload's rollout is complete, by the rules {@code kubectl rollout status} uses:
 * the controller observed the current generation, and the updated and available replica counts
 * reached the desired count.
 */
final class Rollouts {

    /**
     * @param done     the rollout is complete
     * @param progress e.g. {@code 1/2 updated, 0/2 available}
     * @param failure  non-null when the rollout has failed for good (progress deadline exceeded)
     */
    record State(boolean done, String progress, String failure) {
    }

    private Rollouts() {
    }

    static boolean isRolledOut(HasMetadata object) {
        return object instanceof Deployment || object instanceof StatefulSet || object instanceof DaemonSet;
    }

    static State of(HasMetadata object) {
        if (object instanceof Deployment d) {
            return deployment(d);
        }
        if (object instanceof StatefulSet s) {
            return statefulSet(s);
        }
        if (object instanceof DaemonSet d) {
            return daemonSet(d, 0);
        }
        return new State(object != null, object == null ? "not found" : "applied", null);
    }

    static State deployment(Deployment d) {
        if (d == null) {
            return new State(false, "not found", null);
        }
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        var status = d.getStatus();
        if (status == null || !observed(d.getMetadata().getGeneration(), status.getObservedGeneration())) {
            return new State(false, "waiting for the deployment controller", null);
        }
        if (status.getConditions() != null) {
            for (var c : status.getConditions()) {
                if ("Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason())) {
                    return new State(false, "progress deadline exceeded", "deployment " + d.getMetadata().getName()
                            + " exceeded its progress deadline" + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")"));
                }
            }
        }
        int updated = n(status.getUpdatedReplicas());
        int available = n(status.getAvailableReplicas());
        int total = n(status.getReplicas());
        String progress = Math.min(updated, desired) + "/" + desired + " updated, " + Math.min(available, desired)
                + "/" + desired + " available" + (total > updated ? ", " + (total - updated) + " old pending termination" : "");
        boolean done = updated >= desired && available >= desired && total <= updated;
        return new State(done, progress, null);
    }

    static State statefulSet(StatefulSet s) {
        if (s == null) {
            return new State(false, "not found", null);
        }
        int desired = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
        var status = s.getStatus();
        if (status == null || !observed(s.getMetadata().getGeneration(), status.getObservedGeneration())) {
            return new State(false, "waiting for the statefulset controller", null);
        }
        int updated = n(status.getUpdatedReplicas());
        int ready = n(status.getReadyReplicas());
        int available = status.getAvailableReplicas() == null ? ready : status.getAvailableReplicas();
        boolean revisionDone = status.getUpdateRevision() == null || status.getUpdateRevision().equals(status.getCurrentRevision());
        String progress = Math.min(updated, desired) + "/" + desired + " updated, " + Math.min(available, desired)
                + "/" + desired + " available";
        return new State(updated >= desired && available >= desired && revisionDone, progress, null);
    }

    /** @param requiredPods pods that must be available besides the desired count (a CNI needs one per node) */
    static State daemonSet(DaemonSet d, int requiredPods) {
        if (d == null) {
            return new State(false, "not found", null);
        }
        var status = d.getStatus();
        if (status == null || !observed(d.getMetadata().getGeneration(), status.getObservedGeneration())) {
            return new State(false, "0/" + Math.max(requiredPods, 1) + " pods available (waiting for the daemonset controller)", null);
        }
        int desired = Math.max(n(status.getDesiredNumberScheduled()), requiredPods);
        int updated = n(status.getUpdatedNumberScheduled());
        int available = n(status.getNumberAvailable());
        String progress = Math.min(available, desired) + "/" + desired + " pods available"
                + (updated < n(status.getDesiredNumberScheduled()) ? " (" + updated + " updated)" : "");
        return new State(desired > 0 && updated >= n(status.getDesiredNumberScheduled()) && available >= desired, progress, null);
    }

    private static boolean observed(Long generation, Long observedGeneration) {
        return generation == null || (observedGeneration != null && observedGeneration >= generation);
    }

    private static int n(Integer value) {
        return value == null ? 0 : value;
    }
}
