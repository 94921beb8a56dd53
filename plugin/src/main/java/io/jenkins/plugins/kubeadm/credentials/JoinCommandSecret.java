package io.jenkins.plugins.kubeadm.credentials;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.impl.BaseStandardCredentials;
import hudson.Extension;
import hudson.util.Secret;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.kohsuke.stapler.DataBoundConstructor;

/**
 * A worker join command that kubeadmInit wrote. Its own kind, so kubeadmInit can tell its own
 * credentials from others with the same id and never overwrites one it did not write; a secret text
 * as far as anything else (withCredentials, joinWorkers) is concerned.
 */
public final class JoinCommandSecret extends BaseStandardCredentials implements StringCredentials {

    private static final long serialVersionUID = 1L;

    private final Secret secret;

    @DataBoundConstructor
    public JoinCommandSecret(CredentialsScope scope, String id, String description, Secret secret) {
        super(scope, id, description);
        this.secret = secret;
    }

    @Override
    public Secret getSecret() {
        return secret;
    }

    @Extension
    public static final class DescriptorImpl extends BaseStandardCredentialsDescriptor {
        @Override
        public String getDisplayName() {
            return "kubeadm join command (written by kubeadmInit)";
        }
    }
}
