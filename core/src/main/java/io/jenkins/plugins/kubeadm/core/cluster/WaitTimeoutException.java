package io.jenkins.plugins.kubeadm.core.cluster;

import java.util.List;

/** A wait ran out of time; {@link #notReady()} lists each thing still not ready and why. */
public class WaitTimeoutException extends ClusterStepException {

    private final List<String> notReady;

    public WaitTimeoutException(String message, List<String> notReady) {
        super(message);
        this.notReady = List.copyOf(notReady);
    }

    public List<String> notReady() {
        return notReady;
    }
}
