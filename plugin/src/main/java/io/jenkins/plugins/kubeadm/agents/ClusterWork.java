package io.jenkins.plugins.kubeadm.agents;

import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import java.io.Serializable;

/**
 * What a cluster step does with core's {@link ClusterSteps}, made of plain values so it can run on
 * the control-plane agent next to the admin kubeconfig, or here with a kubeconfig credential.
 */
public interface ClusterWork extends Serializable {

    /** Does the work; returns the one-line summary the build prints. */
    String run(ClusterSteps cluster);

    /** The longest reply the controller accepts from an agent for this work: a one-line summary, unless the work sends more. */
    default int maxReplyChars() {
        return NodeRunners.MAX_SUMMARY_CHARS;
    }
}
