package io.jenkins.plugins.kubeadm.core.exec;

import java.io.OutputStream;

/**
 * Receives a node script's output one line at a time, as it is produced. Implementations must be
 * thread-safe: several nodes (and a node's stdout and stderr) report concurrently.
 */
@FunctionalInterface
public interface LineSink {

    enum Stream { STDOUT, STDERR }

    /** One line without its line terminator. */
    void line(String node, Stream stream, String text);

    /** Discards everything. */
    LineSink NONE = (node, stream, text) -> { };

    /** The longest line a bounded stream takes from a node or an agent: a node script's lines are short. */
    int MAX_LINE_BYTES = 64 * 1024;

    /** The most output a bounded stream takes from one run on one node. */
    long MAX_OUTPUT_BYTES = 64L * 1024 * 1024;

    /**
     * A byte stream that hands each complete line to {@code sink} (a last line without newline when
     * it is closed): for output that arrives as bytes, such as a local process's.
     */
    static OutputStream lines(LineSink sink, String node, Stream stream) {
        return new LineSplitter(node, stream, sink);
    }

    /**
     * Like {@link #lines}, for output from elsewhere (an agent, a node over SSH): bounded by
     * {@link #MAX_LINE_BYTES} and {@link #MAX_OUTPUT_BYTES}; past them it takes nothing more and calls
     * {@code onViolation} once (stop the run then, and fail it with {@link LineSplitter#violation()}).
     */
    static LineSplitter boundedLines(LineSink sink, String node, Stream stream, Runnable onViolation) {
        return new LineSplitter(node, stream, sink, true, onViolation);
    }
}
