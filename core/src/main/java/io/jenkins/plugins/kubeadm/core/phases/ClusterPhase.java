package io.jenkins.plugins.kubeadm.core.phases;

/**
 * One phase of a cluster build, with its parameters already checked: what it asks of which nodes
 * (through the context's {@link io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps}, which owns the
 * fan-out, the step logs, redaction and time limits), how it judges their results, and what it hands
 * to the phases after it (through the {@link PhaseContext}). Every entry point runs the same phase
 * objects: the plugin's steps one each, kubeadmCluster and the command-line runner the ordered list.
 */
public interface ClusterPhase {

    /** Its place in {@link Phase#ORDER}, and the step that runs it alone. */
    Phase phase();

    void run(PhaseContext context);
}
