package io.jenkins.plugins.kubeadm.steps;

import hudson.AbortException;
import hudson.Util;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * A step that runs a node script: on the agent of the enclosing {@code node} block, on every
 * online agent with {@code label}, or on every node of an {@code inventory} over SSH, in parallel.
 */
public abstract class NodeStep extends KubeadmStep {

    private String label;

    public String getLabel() {
        return label;
    }

    /** Every online agent with this label (an expression) takes part; empty: the current agent. */
    @DataBoundSetter
    public void setLabel(String label) {
        this.label = Util.fixEmptyAndTrim(label);
    }

    /** Checks the inventory parameters and whether they go with the others, before the step starts. */
    final InventorySpec checkedInventory() throws AbortException {
        InventorySpec spec = inventorySpec();
        validated(() -> {
            spec.check(label);
            return spec;
        });
        return spec;
    }
}
