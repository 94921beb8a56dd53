package io.jenkins.plugins.kubeadm.core.addons;

/**
 * A manifest that cannot be used: it could not be fetched, does not parse, is not what the catalog
 * pins, or cannot be transformed. Raised before anything is applied to the cluster.
 */
public class ManifestException extends RuntimeException {

    public ManifestException(String message) {
        super(message);
    }

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
