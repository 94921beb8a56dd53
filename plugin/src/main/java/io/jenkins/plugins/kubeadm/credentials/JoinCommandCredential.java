package io.jenkins.plugins.kubeadm.credentials;

import com.cloudbees.plugins.credentials.Credentials;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.CredentialsStore;
import com.cloudbees.plugins.credentials.common.IdCredentials;
import com.cloudbees.plugins.credentials.domains.Domain;
import hudson.AbortException;
import hudson.model.ItemGroup;
import hudson.model.Job;
import hudson.model.Run;
import hudson.security.ACL;
import hudson.security.ACLContext;
import hudson.security.Permission;
import hudson.util.Secret;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommandException;
import io.jenkins.plugins.kubeadm.security.KubeadmPipelineSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.springframework.security.core.Authentication;

/**
 * Where kubeadmInit keeps the worker join command and joinWorkers finds it: a {@link JoinCommandSecret}
 * credential in the store of the job's folder, written with the build's authentication; for a job
 * outside any folder, inside the build ({@link BuildJoinCommands}), or in the global store where an
 * administrator allows it. The value goes from the result file straight into a {@link Secret} and back
 * into a {@link JoinCommand}; it never becomes a Groovy value or a log line.
 */
public final class JoinCommandCredential {

    /** How the default ids start; the rest comes from the job's full name. */
    public static final String DEFAULT_ID_PREFIX = "kubeadm-join-";

    private JoinCommandCredential() {
    }

    /** The id when the Jenkinsfile names none: one per job, so two jobs never join each other's clusters. */
    public static String defaultId(Job<?, ?> job) {
        String fullName = job.getFullName();
        String readable = fullName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        if (readable.length() > 80) {
            readable = readable.substring(0, 80);
        }
        try {
            // The hash keeps 'a/b' and 'a-b' (the same readable part) apart.
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(fullName.getBytes(StandardCharsets.UTF_8));
            return DEFAULT_ID_PREFIX + (readable.isEmpty() ? "" : readable + "-") + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where one kubeadmInit keeps the join command; decided, and checked for the build, before any node changes. */
    public interface Destination {
        /** Keeps the join command; returns what the build prints about where. */
        String write(JoinCommand joinCommand, String controlPlane) throws IOException;
    }

    /**
     * Decides where the join command goes and checks that the build may put it there: the store's
     * Credentials/Create (or Update, for a join command kubeadmInit wrote before) for the build's
     * authentication, and no credential of another kind under the id.
     *
     * @param id the id the Jenkinsfile gave, or null for {@link #defaultId}
     * @throws AbortException naming joinCredentialsId or the missing permission
     */
    public static Destination plan(Run<?, ?> run, String id, Authentication authentication) throws IOException {
        Job<?, ?> job = run.getParent();
        String credentialsId = id != null ? id : defaultId(job);
        ItemGroup<?> parent = job.getParent();
        CredentialsStore store = null;
        if (parent != Jenkins.get()) {
            store = ownStore(parent);
        } else if (KubeadmPipelineSettings.get().isGlobalJoinCredentialsAllowed()) {
            store = ownStore(Jenkins.get());
        }
        if (store == null) {
            return (joinCommand, controlPlane) -> {
                BuildJoinCommands kept = run.getAction(BuildJoinCommands.class);
                if (kept == null) {
                    kept = new BuildJoinCommands();
                    run.addAction(kept);
                }
                kept.put(credentialsId, Secret.fromString(joinCommand.forWorkers().toSecretCommandLine()));
                run.save();
                return "kept inside this build as '" + credentialsId + "' (the job is in no folder with a credentials store;"
                        + " joinWorkers in this build reads it)";
            };
        }
        CredentialsStore target = store;
        Credentials existing = existing(target, credentialsId, authentication);
        Permission needed = existing == null ? CredentialsProvider.CREATE : CredentialsProvider.UPDATE;
        if (!target.hasPermission2(authentication, needed)) {
            throw new AbortException("joinCredentialsId: " + authentication.getName() + " may not " + (existing == null ? "create"
                    : "update") + " credentials in the store of " + target.getContextDisplayName() + " (Credentials/"
                    + (existing == null ? "Create" : "Update") + "), where kubeadmInit keeps the join command; nothing was changed");
        }
        return (joinCommand, controlPlane) -> {
            JoinCommandSecret credential = new JoinCommandSecret(CredentialsScope.GLOBAL, credentialsId,
                    "kubeadm join command for workers of " + controlPlane + " (written by " + run.getFullDisplayName() + ")",
                    Secret.fromString(joinCommand.forWorkers().toSecretCommandLine()));
            try (ACLContext ignored = ACL.as2(authentication)) {
                Credentials now = existing(target, credentialsId, authentication);
                boolean written = now == null ? target.addCredentials(Domain.global(), credential)
                        : target.updateCredentials(Domain.global(), now, credential);
                if (!written) {
                    throw notUsable(credentialsId);
                }
                return "in the credential '" + credentialsId + "' of " + target.getContextDisplayName() + " ("
                        + (now == null ? "created" : "updated") + ")";
            }
        };
    }

    /**
     * The join command kept under {@code id} (null: the job's default id): this build's own first, then
     * a credential the job sees.
     */
    public static JoinCommand read(Run<?, ?> run, String id) throws AbortException {
        String credentialsId = id != null ? id : defaultId(run.getParent());
        BuildJoinCommands kept = run.getAction(BuildJoinCommands.class);
        Secret secret = kept == null ? null : kept.get(credentialsId);
        if (secret == null) {
            StringCredentials credential = CredentialsProvider.findCredentialById(credentialsId, StringCredentials.class, run);
            if (credential == null) {
                throw new AbortException("joinCredentialsId: no join command '" + credentialsId + "' is kept in this build or"
                        + " visible to this job (accepted: the id kubeadmInit kept the join command under; by default each job"
                        + " has its own, and a job outside any folder keeps it inside the build, so run kubeadmInit in the same build)");
            }
            secret = credential.getSecret();
        }
        try {
            return JoinCommand.parse(secret.getPlainText());
        } catch (JoinCommandException e) {
            // The parser's messages name the problem, never the value.
            throw new AbortException("joinCredentialsId: '" + credentialsId + "' holds no usable kubeadm join command: "
                    + e.getMessage());
        }
    }

    /**
     * The credential under the id that kubeadmInit may replace, or null for none. Any other credential
     * under the id, seen or not, gives one answer, so the refusal tells nothing about what the job cannot see.
     */
    private static Credentials existing(CredentialsStore store, String id, Authentication authentication) throws AbortException {
        try (ACLContext ignored = ACL.as2(authentication)) {
            for (Credentials c : store.getCredentials(Domain.global())) {
                if (c instanceof IdCredentials idc && idc.getId().equals(id)) {
                    if (c instanceof JoinCommandSecret) {
                        return c;
                    }
                    throw notUsable(id);
                }
            }
        }
        return null;
    }

    private static AbortException notUsable(String id) {
        return new AbortException("joinCredentialsId: kubeadmInit cannot keep the join command under '" + id + "': it writes only"
                + " ids that are free or hold a join command it wrote (accepted: another id, or none for the job's own)");
    }

    /** The store whose context is exactly {@code context} (a folder's own, or the global one), or null. */
    private static CredentialsStore ownStore(hudson.model.ModelObject context) {
        for (CredentialsStore s : CredentialsProvider.lookupStores(context)) {
            if (s.getContext() == context) {
                return s;
            }
        }
        return null;
    }
}
