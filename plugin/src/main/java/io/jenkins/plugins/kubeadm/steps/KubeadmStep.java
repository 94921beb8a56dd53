package io.jenkins.plugins.kubeadm.steps;

import com.cloudbees.jenkins.plugins.sshcredentials.SSHUserPrivateKey;
import com.cloudbees.plugins.credentials.CredentialsMatcher;
import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import hudson.AbortException;
import hudson.Util;
import hudson.model.Item;
import hudson.model.Queue;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.model.queue.Tasks;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import io.jenkins.plugins.kubeadm.credentials.JoinCommandSecret;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.springframework.security.core.Authentication;

/**
 * What every step shares: the inventory and how to reach its nodes over SSH, the time limit, and one
 * descriptor with the credential pickers. Node steps run their scripts on the inventory's nodes;
 * cluster steps fetch the admin kubeconfig from its control-plane line. The help of the fields below
 * and {@code inventory-fields.jelly} are in this class's resource folder, which Jenkins searches for
 * each subclass after the subclass's own.
 */
public abstract class KubeadmStep extends Step {

    private String inventory;
    private String inventoryFile;
    private String sshCredentialsId;
    private String knownHostsFile;
    private String knownHostsCredentialsId;
    private boolean acceptAnyHostKey;
    private int timeoutMinutes;

    public String getInventory() {
        return inventory;
    }

    /** Nodes that are not agents: lines 'NAME ROLE USER@HOST[:PORT]', reached over SSH; replaces a label. */
    @DataBoundSetter
    public void setInventory(String inventory) {
        this.inventory = Util.fixEmptyAndTrim(inventory);
    }

    public String getInventoryFile() {
        return inventoryFile;
    }

    /** The inventory as a file in the workspace. */
    @DataBoundSetter
    public void setInventoryFile(String inventoryFile) {
        this.inventoryFile = Util.fixEmptyAndTrim(inventoryFile);
    }

    public String getSshCredentialsId() {
        return sshCredentialsId;
    }

    /** The "SSH Username with private key" credential the inventory's nodes accept. */
    @DataBoundSetter
    public void setSshCredentialsId(String sshCredentialsId) {
        this.sshCredentialsId = Util.fixEmptyAndTrim(sshCredentialsId);
    }

    public String getKnownHostsFile() {
        return knownHostsFile;
    }

    /** The inventory nodes' host keys: a known_hosts file in the workspace. */
    @DataBoundSetter
    public void setKnownHostsFile(String knownHostsFile) {
        this.knownHostsFile = Util.fixEmptyAndTrim(knownHostsFile);
    }

    public String getKnownHostsCredentialsId() {
        return knownHostsCredentialsId;
    }

    /** The inventory nodes' host keys: a secret file credential with known_hosts lines. */
    @DataBoundSetter
    public void setKnownHostsCredentialsId(String knownHostsCredentialsId) {
        this.knownHostsCredentialsId = Util.fixEmptyAndTrim(knownHostsCredentialsId);
    }

    public boolean isAcceptAnyHostKey() {
        return acceptAnyHostKey;
    }

    /** Skips the host key check of the inventory's nodes: throw-away labs only, and the build says so. */
    @DataBoundSetter
    public void setAcceptAnyHostKey(boolean acceptAnyHostKey) {
        this.acceptAnyHostKey = acceptAnyHostKey;
    }

    public int getTimeoutMinutes() {
        return timeoutMinutes;
    }

    /** How long the step may take (its help says what it waits for); 0 for the step's default. */
    @DataBoundSetter
    public void setTimeoutMinutes(int timeoutMinutes) {
        this.timeoutMinutes = timeoutMinutes;
    }

    /** Minutes the step gets when the Jenkinsfile says nothing. */
    abstract int defaultTimeoutMinutes();

    final int effectiveTimeoutMinutes() throws AbortException {
        if (timeoutMinutes == 0) {
            return defaultTimeoutMinutes();
        }
        return validated(() -> Validators.integerRange("timeoutMinutes", timeoutMinutes, 1, 24 * 60,
                "minutes (or 0 for the default " + defaultTimeoutMinutes() + ")"));
    }

    /** The inventory parameters as one value; {@link InventorySpec#given()} says whether there is an inventory. */
    final InventorySpec inventorySpec() {
        return new InventorySpec(inventory, inventoryFile, sshCredentialsId, knownHostsFile, knownHostsCredentialsId, acceptAnyHostKey);
    }

    /** Runs core's validation before the step starts; a bad value fails the step naming the parameter. */
    static <T> T validated(Supplier<T> validation) throws AbortException {
        try {
            return validation.get();
        } catch (ParameterException e) {
            throw new AbortException(e.getMessage());
        }
    }

    /**
     * Every step's descriptor: it needs the build and its console, not an agent. The credential fields'
     * pickers list what the job could use, seen as the job's own authentication; a user who may not
     * configure the job sees only the value already there.
     */
    abstract static class KubeadmStepDescriptor extends StepDescriptor {
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
        }

        public ListBoxModel doFillSshCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String sshCredentialsId) {
            return credentials(item, sshCredentialsId, CredentialsMatchers.instanceOf(SSHUserPrivateKey.class));
        }

        public ListBoxModel doFillKnownHostsCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String knownHostsCredentialsId) {
            return credentials(item, knownHostsCredentialsId, CredentialsMatchers.instanceOf(FileCredentials.class));
        }

        /** Cluster steps: a secret file (or secret text) with a kubeconfig; never a join command. */
        public ListBoxModel doFillKubeconfigCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String kubeconfigCredentialsId) {
            return credentials(item, kubeconfigCredentialsId, CredentialsMatchers.allOf(
                    CredentialsMatchers.anyOf(CredentialsMatchers.instanceOf(FileCredentials.class),
                            CredentialsMatchers.instanceOf(StringCredentials.class)),
                    CredentialsMatchers.not(CredentialsMatchers.instanceOf(JoinCommandSecret.class))));
        }

        /** kubeadmInit and joinWorkers: join commands kubeadmInit kept; empty, the job's own id. */
        public ListBoxModel doFillJoinCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String joinCredentialsId) {
            return credentials(item, joinCredentialsId, CredentialsMatchers.instanceOf(JoinCommandSecret.class));
        }

        private static ListBoxModel credentials(Item item, String current, CredentialsMatcher matcher) {
            StandardListBoxModel model = new StandardListBoxModel();
            boolean mayConfigure = item == null ? Jenkins.get().hasPermission(Jenkins.ADMINISTER)
                    : item.hasPermission(Item.EXTENDED_READ) || item.hasPermission(CredentialsProvider.USE_ITEM);
            if (!mayConfigure) {
                return model.includeCurrentValue(current);
            }
            Authentication as = item instanceof Queue.Task task ? Tasks.getAuthenticationOf2(task) : Jenkins.getAuthentication2();
            model.includeEmptyValue();
            model.includeMatchingAs(as, item, StandardCredentials.class, List.of(), matcher);
            return model.includeCurrentValue(current);
        }
    }
}
