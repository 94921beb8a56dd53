package io.jenkins.plugins.kubeadm.agents;

import io.jenkins.plugins.kubeadm.core.exec.CollectedRun;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

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

    /**
     * The run as the controller accepts it from an agent it does not trust: only the result files the
     * request asked for, within the sizes the runners collect ({@link CollectedRun#fromUntrusted}).
     */
    CollectedRun checked(String nodeName, Set<String> expectedFiles) throws IOException {
        ExecResult.Outcome parsed;
        try {
            parsed = ExecResult.Outcome.valueOf(String.valueOf(outcome));
        } catch (IllegalArgumentException e) {
            throw new IOException(nodeName + " sent an unknown outcome; the controller refused its reply");
        }
        return CollectedRun.fromUntrusted(nodeName, new ExecResult(exitStatus, parsed, Duration.ofMillis(elapsedMillis)),
                files == null ? Map.of() : files, expectedFiles);
    }

    /** Names the result files only: their content may be secret. */
    @Override
    public String toString() {
        return "AgentRunResult[exit " + exitStatus + ", " + outcome + ", " + (files == null ? 0 : files.size()) + " file(s)]";
    }
}
