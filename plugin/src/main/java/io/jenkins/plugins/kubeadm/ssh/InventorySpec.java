package io.jenkins.plugins.kubeadm.ssh;

import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.io.Serializable;

/**
 * What a step was told about nodes that are not Jenkins agents: the inventory (inline or a workspace
 * file), the SSH credential and the host key policy. Ids and text only: no secret is held here.
 */
public record InventorySpec(String inventory, String inventoryFile, String sshCredentialsId, String knownHostsFile,
                            String knownHostsCredentialsId, boolean acceptAnyHostKey) implements Serializable {

    static final String CREDENTIAL_ID = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";
    static final String HOST_KEY_FORMS = "knownHostsFile: 'known_hosts' (a file in the workspace), knownHostsCredentialsId: 'id'"
            + " (a secret file credential with known_hosts lines), or acceptAnyHostKey: true for a throw-away lab";

    /** Whether the step runs on the nodes of an inventory instead of on Jenkins agents. */
    public boolean given() {
        return inventory != null || inventoryFile != null;
    }

    /**
     * Checks what needs no build: which parameters go together, the ids' form and an inline
     * inventory's lines. Credentials and files are checked when the step runs, before any node is touched.
     *
     * @param label the step's label parameter, which an inventory replaces
     * @throws ParameterException naming the parameter and its accepted form
     */
    public void check(String label) {
        if (!given()) {
            String stray = sshCredentialsId != null ? "sshCredentialsId" : knownHostsFile != null ? "knownHostsFile"
                    : knownHostsCredentialsId != null ? "knownHostsCredentialsId" : acceptAnyHostKey ? "acceptAnyHostKey" : null;
            if (stray != null) {
                throw new ParameterException(stray, "goes with an inventory, and none is given",
                        "inventory: 'NAME ROLE USER@HOST[:PORT]' lines, or inventoryFile: 'a file in the workspace'");
            }
            return;
        }
        if (inventory != null && inventoryFile != null) {
            throw new ParameterException("inventoryFile", "cannot go with inventory", "one of inventory (the lines) or inventoryFile");
        }
        if (label != null) {
            throw new ParameterException("label", "cannot go with an inventory",
                    "label for nodes that are Jenkins agents, or inventory/inventoryFile for nodes reached over SSH");
        }
        if (sshCredentialsId == null) {
            throw new ParameterException("sshCredentialsId", "is required with an inventory",
                    "the id of an 'SSH Username with private key' credential");
        }
        checkId("sshCredentialsId", sshCredentialsId);
        int policies = (knownHostsFile != null ? 1 : 0) + (knownHostsCredentialsId != null ? 1 : 0) + (acceptAnyHostKey ? 1 : 0);
        if (policies != 1) {
            throw new ParameterException(policies == 0 ? "knownHostsFile" : "acceptAnyHostKey",
                    policies == 0 ? "no host key policy is given" : "give exactly one host key policy", HOST_KEY_FORMS);
        }
        if (knownHostsCredentialsId != null) {
            checkId("knownHostsCredentialsId", knownHostsCredentialsId);
        }
        if (inventory != null) {
            Inventory.parse(inventory);
        }
    }

    private static void checkId(String parameter, String id) {
        if (!id.matches(CREDENTIAL_ID)) {
            throw new ParameterException(parameter, "'" + id + "' is not a credential id", "letters, digits, '.', '_' and '-'");
        }
    }
}
