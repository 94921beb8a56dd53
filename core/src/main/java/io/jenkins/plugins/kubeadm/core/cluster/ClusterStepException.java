package io.jenkins.plugins.kubeadm.core.cluster;

/**
 * A cluster step failed. The message is written for the pipeline's user: it says what was being
 * done, what the cluster reported and, where there is one, what to do. It never contains
 * kubeconfig content or credentials.
 */
public class ClusterStepException extends RuntimeException {

    public ClusterStepException(String message) {
        super(message);
    }

    public ClusterStepException(String message, Throwable cause) {
        super(message, cause);
    }
}
