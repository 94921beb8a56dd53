package io.jenkins.plugins.kubeadm.core.exec;

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
}
