package io.jenkins.plugins.kubeadm.ssh;

import com.cloudbees.jenkins.plugins.sshcredentials.SSHUserPrivateKey;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.IdCredentials;
import hudson.AbortException;
import hudson.model.Run;
import hudson.util.Secret;
import io.jenkins.plugins.kubeadm.core.exec.SshIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The private key of an "SSH Username with private key" credential, as core's in-memory
 * {@link SshIdentity}: the key text never reaches a file, the console or a message.
 */
final class SshKeyCredential {

    private static final String ACCEPTED = "the id of an 'SSH Username with private key' credential whose key is an OpenSSH or PEM"
            + " private key, with its passphrase if it has one";

    private SshKeyCredential() {
    }

    /** The credential's key, loaded once here so that a bad key or passphrase fails before any node is touched. */
    static SshIdentity read(Run<?, ?> run, String id) throws IOException {
        IdCredentials credential = CredentialsProvider.findCredentialById(id, IdCredentials.class, run);
        if (credential == null) {
            throw new AbortException("sshCredentialsId: no credential '" + id + "' is visible to this job (accepted: " + ACCEPTED + ")");
        }
        if (!(credential instanceof SSHUserPrivateKey key)) {
            throw new AbortException("sshCredentialsId: the credential '" + id + "' is a "
                    + credential.getDescriptor().getDisplayName() + " credential, not an SSH Username with private key (accepted: "
                    + ACCEPTED + ")");
        }
        List<String> keys = key.getPrivateKeys();
        if (keys.isEmpty() || keys.get(0) == null || keys.get(0).isBlank()) {
            throw new AbortException("sshCredentialsId: the credential '" + id + "' holds no private key (accepted: " + ACCEPTED + ")");
        }
        Secret passphrase = key.getPassphrase();
        SshIdentity identity = new SshIdentity.InMemory("the SSH credential '" + id + "'", keys.get(0).getBytes(StandardCharsets.UTF_8),
                passphrase == null ? null : passphrase.getPlainText());
        try {
            identity.load(null);
        } catch (IOException e) {
            throw new AbortException("sshCredentialsId: " + e.getMessage() + " (accepted: " + ACCEPTED + ")");
        }
        return identity;
    }
}
