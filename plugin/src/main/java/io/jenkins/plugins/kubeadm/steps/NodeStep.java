package io.jenkins.plugins.kubeadm.steps;

import hudson.AbortException;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.util.Set;
import java.util.function.Supplier;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * A step that runs a node script: on the agent of the enclosing {@code node} block, on every
 * online agent with {@code label}, or on every node of an {@code inventory} over SSH, in parallel.
 */
public abstract class NodeStep extends SshInventoryStep {

    private String label;
    private int timeoutMinutes;

    public String getLabel() {
        return label;
    }

    /** Every online agent with this label (an expression) takes part; empty: the current agent. */
    @DataBoundSetter
    public void setLabel(String label) {
        this.label = Util.fixEmptyAndTrim(label);
    }

    public int getTimeoutMinutes() {
        return timeoutMinutes;
    }

    /** How long the script may run on each node; 0 for the step's default. */
    @DataBoundSetter
    public void setTimeoutMinutes(int timeoutMinutes) {
        this.timeoutMinutes = timeoutMinutes;
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

    /** Minutes a node gets when the Jenkinsfile says nothing. */
    abstract int defaultTimeoutMinutes();

    final int effectiveTimeoutMinutes() throws AbortException {
        if (timeoutMinutes < 0 || timeoutMinutes > 24 * 60) {
            throw new AbortException("timeoutMinutes: '" + timeoutMinutes + "' is not a time limit (accepted: 1 to 1440 minutes,"
                    + " or 0 for the default " + defaultTimeoutMinutes() + ")");
        }
        return timeoutMinutes == 0 ? defaultTimeoutMinutes() : timeoutMinutes;
    }

    /** Runs core's validation before the step starts; a bad value fails the step naming the parameter. */
    static <T> T validated(Supplier<T> validation) throws AbortException {
        try {
            return validation.get();
        } catch (ParameterException e) {
            throw new AbortException(e.getMessage());
        }
    }

    /** What every step's descriptor declares: it needs the build and its console, not an agent. */
    abstract static class NodeStepDescriptor extends StepDescriptor {
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
        }
    }
}
