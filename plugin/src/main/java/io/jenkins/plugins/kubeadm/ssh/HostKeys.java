package io.jenkins.plugins.kubeadm.ssh;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.IdCredentials;
import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Run;
import io.jenkins.plugins.kubeadm.core.exec.HostKeyPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;

/**
 * The host key policy a step was given, as core's {@link HostKeyPolicy}: known_hosts lines from a
 * workspace file or a secret file credential (read into memory), or, by name, accepting any key.
 */
final class HostKeys {

    private HostKeys() {
    }

    /**
     * @param workspace the workspace of the enclosing node block, or null outside one
     * @param warn      told the warning for acceptAnyHostKey
     */
    static HostKeyPolicy resolve(InventorySpec spec, Run<?, ?> run, FilePath workspace, java.util.function.Consumer<String> warn)
            throws IOException, InterruptedException {
        if (spec.acceptAnyHostKey()) {
            warn.accept("WARNING: acceptAnyHostKey: the nodes' SSH host keys are NOT checked; anyone who can answer at their"
                    + " addresses gets the build's commands and the join secret. Use it for throw-away labs only; give"
                    + " knownHostsFile or knownHostsCredentialsId otherwise.");
            return new HostKeyPolicy.InsecureAcceptAny();
        }
        if (spec.knownHostsFile() != null) {
            String file = spec.knownHostsFile();
            if (workspace == null) {
                throw new AbortException("knownHostsFile: '" + file + "' is a workspace file, and the step has no workspace"
                        + " (accepted: the step inside node { }, or knownHostsCredentialsId)");
            }
            FilePath path = workspace.child(file);
            if (!path.exists()) {
                throw new AbortException("knownHostsFile: '" + file + "' does not exist in the workspace " + workspace.getRemote()
                        + " (accepted: a known_hosts file as ssh-keyscan writes it)");
            }
            return policy("knownHostsFile", "the known_hosts file '" + file + "'", path.readToString());
        }
        String id = spec.knownHostsCredentialsId();
        IdCredentials credential = CredentialsProvider.findCredentialById(id, IdCredentials.class, run);
        if (!(credential instanceof FileCredentials secretFile)) {
            throw new AbortException("knownHostsCredentialsId: " + (credential == null ? "no credential '" + id + "' is visible to this job"
                    : "the credential '" + id + "' is a " + credential.getDescriptor().getDisplayName() + " credential, not a secret file")
                    + " (accepted: the id of a secret file credential holding known_hosts lines)");
        }
        try (InputStream in = secretFile.getContent()) {
            return policy("knownHostsCredentialsId", "the known_hosts credential '" + id + "'",
                    new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static HostKeyPolicy policy(String parameter, String source, String content) throws AbortException {
        try {
            return new HostKeyPolicy.KnownHostsText(source, content);
        } catch (IllegalArgumentException e) {
            throw new AbortException(parameter + ": " + e.getMessage());
        }
    }
}
