package io.jenkins.plugins.kubeadm.core.exec;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/** Runs node scripts on one node: over SSH ({@link SshScriptRunner}) or here ({@link LocalScriptRunner}). */
public interface ScriptRunner extends AutoCloseable {

    /** The node's name as logs and results show it. */
    String nodeName();

    /**
     * Runs the script as root, streaming its output line by line to {@code sink}. Returns when it
     * ends, when {@code timeout} passes, or when {@code cancellation} fires; in the last two cases
     * the script's whole process group on the node is terminated.
     *
     * @throws IOException when the node cannot be reached or the script cannot be started
     */
    ExecResult run(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) throws IOException;

    /**
     * Like {@link #run}, and hands back what the step wrote to the request's result files. Their
     * content travels on a separate channel after the step has ended, never through {@code sink};
     * the files are removed from the node, also when the step failed, timed out or was cancelled.
     *
     * @throws IOException when the node cannot be reached or the result files cannot be collected
     */
    default CollectedRun runAndCollect(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation)
            throws IOException {
        if (!request.resultFiles().isEmpty()) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot hand back result files");
        }
        return new CollectedRun(run(request, sink, timeout, cancellation), Map.of());
    }

    @Override
    default void close() throws IOException {
    }
}
