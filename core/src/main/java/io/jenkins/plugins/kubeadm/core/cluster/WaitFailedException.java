package io.jenkins.plugins.kubeadm.core.cluster;

/** A wait stopped early because what it waited for failed for good (e.g. a progress deadline passed). */
public class WaitFailedException extends ClusterStepException {

    public WaitFailedException(String message) {
        super(message);
    }
}
