package io.jenkins.plugins.kubeadm.credentials;

import com.cloudbees.plugins.credentials.Credentials;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.CredentialsStore;
import com.cloudbees.plugins.credentials.common.IdCredentials;
import com.cloudbees.plugins.credentials.domains.Domain;
import hudson.AbortException;
import hudson.model.ItemGroup;
import hudson.model.ModelObject;
import hudson.model.Run;
import hudson.security.ACL;
import hudson.security.ACLContext;
import hudson.util.Secret;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommandException;
import java.io.IOException;
import java.util.List;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;

/**
 * The worker join command as a Jenkins secret text credential: written by kubeadmInit into the
 * credentials store of the job's folder (the global store for a job at the top), read by joinWorkers.
 * The value goes from the result file straight into a {@link Secret} and back into a
 * {@link JoinCommand}; it never becomes a Groovy value or a log line.
 */
public final class JoinCommandCredential {

    /** The credential id when the Jenkinsfile names none. */
    public static final String DEFAULT_ID = "kubeadm-join-command";

    private JoinCommandCredential() {
    }

    /** Creates the credential, or replaces its value. Returns true when it was created. */
    public static boolean store(Run<?, ?> run, String id, JoinCommand joinCommand, String controlPlane) throws IOException {
        CredentialsStore store = storeFor(run.getParent().getParent());
        StringCredentialsImpl credential = new StringCredentialsImpl(CredentialsScope.GLOBAL, id,
                "kubeadm join command for workers of " + controlPlane + " (written by " + run.getFullDisplayName() + ")",
                Secret.fromString(joinCommand.forWorkers().toSecretCommandLine()));
        try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
            Credentials existing = null;
            for (Credentials c : store.getCredentials(Domain.global())) {
                if (c instanceof IdCredentials idc && idc.getId().equals(id)) {
                    existing = c;
                }
            }
            if (existing == null) {
                store.addCredentials(Domain.global(), credential);
                return true;
            }
            if (!(existing instanceof StringCredentials)) {
                throw new AbortException("joinCredentialsId: the credential '" + id + "' exists and is not a secret text"
                        + " (accepted: the id of a secret text credential kubeadmInit may overwrite, or a new id)");
            }
            store.updateCredentials(Domain.global(), existing, credential);
            return false;
        }
    }

    /** The join command kept under {@code id}, as the job sees it. */
    public static JoinCommand read(Run<?, ?> run, String id) throws AbortException {
        StringCredentials credential = CredentialsProvider.findCredentialById(id, StringCredentials.class, run);
        if (credential == null) {
            throw new AbortException("joinCredentialsId: no secret text credential '" + id + "' is visible to this job"
                    + " (accepted: the id kubeadmInit stored the join command under, default " + DEFAULT_ID + ")");
        }
        try {
            return JoinCommand.parse(credential.getSecret().getPlainText());
        } catch (JoinCommandException e) {
            // The parser's messages name the problem, never the value.
            throw new AbortException("joinCredentialsId: the credential '" + id + "' holds no usable kubeadm join command: "
                    + e.getMessage());
        }
    }

    /** The store of the job's folder when it has one, else the global store. */
    private static CredentialsStore storeFor(ItemGroup<?> group) throws AbortException {
        for (ModelObject context : List.<ModelObject>of(group, Jenkins.get())) {
            for (CredentialsStore s : CredentialsProvider.lookupStores(context)) {
                if (s.getContext() == context) {
                    return s;
                }
            }
        }
        throw new AbortException("joinCredentialsId: Jenkins has no credentials store to keep the join command in");
    }
}
