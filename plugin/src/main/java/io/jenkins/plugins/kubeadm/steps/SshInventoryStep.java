package io.jenkins.plugins.kubeadm.steps;

import hudson.Util;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * The parameters every step shares for nodes that are not agents: the inventory and how to reach its
 * nodes over SSH. Node steps run their scripts there; cluster steps fetch the admin kubeconfig from
 * its control-plane line. The help of the fields below is in this class's resource folder, which
 * Jenkins searches for each subclass as it searches the subclass's own (an inventory's help stays
 * per step: each step uses other lines of it).
 */
public abstract class SshInventoryStep extends Step {

    private String inventory;
    private String inventoryFile;
    private String sshCredentialsId;
    private String knownHostsFile;
    private String knownHostsCredentialsId;
    private boolean acceptAnyHostKey;

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

    /** The inventory parameters as one value; {@link InventorySpec#given()} says whether there is an inventory. */
    final InventorySpec inventorySpec() {
        return new InventorySpec(inventory, inventoryFile, sshCredentialsId, knownHostsFile, knownHostsCredentialsId, acceptAnyHostKey);
    }
}
