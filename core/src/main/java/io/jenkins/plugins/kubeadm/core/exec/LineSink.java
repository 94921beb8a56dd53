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

    /**
     * A byte stream that hands each complete line to {@code sink} (a last line without newline when
     * it is closed): for output that arrives as bytes, such as a remote process's.
     */
    static OutputStream lines(LineSink sink, String node, Stream stream) {
        return new LineSplitter(node, stream, sink);
    }
}
