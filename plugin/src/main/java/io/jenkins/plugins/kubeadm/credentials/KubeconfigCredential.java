package io.jenkins.plugins.kubeadm.credentials;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.IdCredentials;
import hudson.AbortException;
import hudson.model.Run;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;

/** A kubeconfig kept as a Jenkins secret file (or secret text) credential, read into memory only. */
public final class KubeconfigCredential {

    private KubeconfigCredential() {
    }

    /** The kubeconfig's content. SECRET: register it with the build's redactor before anything prints. */
    public static String read(Run<?, ?> run, String id) throws IOException {
        IdCredentials credential = CredentialsProvider.findCredentialById(id, IdCredentials.class, run);
        if (credential instanceof FileCredentials file) {
            try (InputStream in = file.getContent()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        if (credential instanceof StringCredentials text) {
            return text.getSecret().getPlainText();
        }
        throw new AbortException("kubeconfigCredentialsId: " + (credential == null ? "no credential '" + id + "' is visible to this job"
                : "the credential '" + id + "' is neither a secret file nor a secret text")
                + " (accepted: the id of a secret file credential holding an admin kubeconfig)");
    }
}
