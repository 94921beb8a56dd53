package io.jenkins.plugins.kubeadm.agents;

import io.jenkins.plugins.kubeadm.core.exec.CollectedRun;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;

/** What {@link RunScriptOnAgent} hands back: the script's outcome and its result files (may be secret). */
final class AgentRunResult implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int exitStatus;
    private final String outcome;
    private final long elapsedMillis;
    private final HashMap<String, byte[]> files;

    AgentRunResult(ExecResult result, HashMap<String, byte[]> files) {
        this.exitStatus = result.exitStatus();
        this.outcome = result.outcome().name();
        this.elapsedMillis = result.elapsed().toMillis();
        this.files = files;
    }

    CollectedRun toCollectedRun() {
        return new CollectedRun(new ExecResult(exitStatus, ExecResult.Outcome.valueOf(outcome), Duration.ofMillis(elapsedMillis)), files);
    }

    /** Names the result files only: their content may be secret. */
    @Override
    public String toString() {
        return "AgentRunResult[exit " + exitStatus + ", " + outcome + ", files " + files.keySet() + "]";
    }
}
