package io.jenkins.plugins.kubeadm.core.exec;

import java.io.IOException;
import java.time.Duration;

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

    @Override
    default void close() throws IOException {
    }
}
