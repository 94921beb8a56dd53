package io.jenkins.plugins.kubeadm.steps;

import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Computer;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.ClusterWork;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.nodes.ParallelStepRunner;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.core.phases.ClusterPhase;
import io.jenkins.plugins.kubeadm.core.phases.PhaseContext;
import io.jenkins.plugins.kubeadm.core.phases.PhaseRunner;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import io.jenkins.plugins.kubeadm.security.BuildAccess;
import io.jenkins.plugins.kubeadm.ssh.InventoryNodes;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.time.Duration;
import java.util.List;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;

/**
 * What every kubeadm-pipeline step does around its work: step logs opened for the build and archived
 * afterwards (also when the step fails), failures turned into a build error that names the nodes
 * and why (redacted), stopping the build cancels the scripts on the nodes, and a controller restart
 * in the middle fails the step by name instead of hanging or passing.
 */
abstract class KubeadmStepExecution<T> extends SynchronousNonBlockingStepExecution<T> {

    private static final long serialVersionUID = 1L;

    private final String stepName;
    private final long timeoutMinutes;
    private transient Cancellation cancellation;
    private transient BuildAccess access;

    /** @param timeoutMinutes the step's time limit, also how long it waits for nodes another step is changing */
    KubeadmStepExecution(StepContext context, String stepName, long timeoutMinutes) {
        super(context);
        this.stepName = stepName;
        this.timeoutMinutes = timeoutMinutes;
    }

    /** The step's work; its console and logs go through {@code logs}. */
    abstract T execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception;

    /** What this step may reach, for the build's authentication; the nodes it takes are given back when the step ends. */
    final BuildAccess access() {
        return access;
    }

    /** The agent of the enclosing node block, or null. */
    final Computer currentAgent() throws Exception {
        return getContext().get(Computer.class);
    }

    /**
     * The nodes of an inventory, reached over SSH from the agent of the enclosing node block (whose
     * workspace holds inventoryFile and knownHostsFile), or from the controller outside one.
     */
    final InventoryNodes inventoryNodes(InventorySpec spec, Run<?, ?> run, BuildStepLogs logs) throws Exception {
        return InventoryNodes.open(spec, run, getContext().get(FilePath.class), currentAgent(), text -> logs.say(stepName + ": " + text),
                access);
    }

    /**
     * Runs one phase of core/phases on these nodes through core's {@link PhaseRunner}, as kubeadmCluster
     * and the command-line runner run the whole list; returns what the phase handed on.
     *
     * @param joinCommand a worker join command the build already has (joinWorkers reads its credential); null for none
     */
    final PhaseContext runPhase(ClusterPhase phase, ClusterNodes nodes, BuildStepLogs logs, Cancellation cancellation,
                                JoinCommand joinCommand) {
        PhaseContext context = new PhaseContext(nodes, logs.nodeSteps(Duration.ofMinutes(timeoutMinutes), cancellation), logs::say, null);
        if (joinCommand != null) {
            context.withJoinCommand(joinCommand);
        }
        PhaseRunner.run(List.of(phase), context);
        return context;
    }

    /**
     * A cluster step's work where the step reaches the API server: with an inventory, its nodes are
     * opened for the admin kubeconfig (and closed after); else the control-plane agent or a credential.
     */
    final String performClusterWork(ClusterStep step, ClusterWork work, Run<?, ?> run, BuildStepLogs logs, Cancellation cancellation)
            throws Exception {
        InventorySpec inventory = step.inventorySpec();
        if (inventory.given()) {
            try (InventoryNodes nodes = inventoryNodes(inventory, run, logs)) {
                return step.perform(work, run, logs, stepName, nodes, cancellation, access, currentAgent());
            }
        }
        return step.perform(work, run, logs, stepName, access, currentAgent());
    }

    @Override
    protected final T run() throws Exception {
        Run<?, ?> run = getContext().get(Run.class);
        TaskListener listener = getContext().get(TaskListener.class);
        synchronized (this) {
            cancellation = new Cancellation();
        }
        BuildStepLogs logs = new BuildStepLogs(run, listener);
        // Inside the try: a failure to find the build's authentication still ends the step's console
        // output and archives its logs, and is redacted like any other.
        try (logs) {
            access = new BuildAccess(run, stepName, Duration.ofMinutes(timeoutMinutes), logs::say);
            try (BuildAccess ignored = access) {
                return execute(run, listener, logs, cancellation);
            }
        } catch (ParallelStepRunner.StepFailedException | ParameterException e) {
            throw new AbortException(logs.redactor().redact(e.getMessage()));
        } catch (AbortException e) {
            throw new AbortException(logs.redactor().redact(e.getMessage()));
        } catch (RuntimeException e) {
            throw new AbortException(stepName + " failed: " + logs.redactor().redact(String.valueOf(e.getMessage())));
        }
    }

    @Override
    public void stop(Throwable cause) throws Exception {
        synchronized (this) {
            if (cancellation != null) {
                cancellation.cancel();
            }
        }
        super.stop(cause);
    }

    /**
     * A restart of Jenkins ended the step's connection to its nodes mid-way; what the scripts did is
     * unknown. Fail by name: the steps are idempotent, so running the build again finishes the job.
     */
    @Override
    public void onResume() {
        getContext().onFailure(new AbortException(stepName + " was interrupted by a restart of Jenkins before it finished;"
                + " its nodes may be half done. Run the build again: every kubeadm-pipeline step is idempotent."));
    }
}
