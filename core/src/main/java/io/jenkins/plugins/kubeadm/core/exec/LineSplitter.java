package io.jenkins.plugins.kubeadm.core.exec;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns a byte stream into lines for a {@link LineSink}; a last line without newline is flushed on close.
 * A bounded splitter reads output it must not trust (an agent's, a node's over SSH): past
 * {@link LineSink#MAX_LINE_BYTES} in one line or {@link LineSink#MAX_OUTPUT_BYTES} in all it keeps
 * nothing more, remembers why ({@link #violation()}) and tells its owner once, who then stops the run.
 */
public final class LineSplitter extends OutputStream {

    private final String node;
    private final LineSink.Stream stream;
    private final LineSink sink;
    private final boolean bounded;
    private final Runnable onViolation;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private long total;
    private String violation;

    LineSplitter(String node, LineSink.Stream stream, LineSink sink) {
        this(node, stream, sink, false, () -> { });
    }

    LineSplitter(String node, LineSink.Stream stream, LineSink sink, boolean bounded, Runnable onViolation) {
        this.node = node;
        this.stream = stream;
        this.sink = sink;
        this.bounded = bounded;
        this.onViolation = onViolation;
    }

    /** Why the output was refused, naming the node and the limit; null while it is within the limits. */
    public synchronized String violation() {
        return violation;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        if (violation != null) {
            return;
        }
        total += len;
        if (bounded && total > LineSink.MAX_OUTPUT_BYTES) {
            refuse("more than " + LineSink.MAX_OUTPUT_BYTES + " bytes of output");
            return;
        }
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                if (!append(b, start, i - start)) {
                    return;
                }
                emit();
                start = i + 1;
            }
        }
        append(b, start, off + len - start);
    }

    /** Adds to the current line; false when that makes it longer than a bounded splitter takes. */
    private boolean append(byte[] b, int off, int len) {
        if (bounded && current.size() + len > LineSink.MAX_LINE_BYTES) {
            refuse("an output line longer than " + LineSink.MAX_LINE_BYTES + " bytes");
            return false;
        }
        current.write(b, off, len);
        return true;
    }

    private void refuse(String what) {
        violation = node + " sent " + what + "; the controller refused the rest of its reply";
        current.reset();
        onViolation.run();
    }

    private void emit() {
        String text = current.toString(StandardCharsets.UTF_8);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        current.reset();
        sink.line(node, stream, text);
    }

    @Override
    public synchronized void close() {
        if (violation == null && current.size() > 0) {
            emit();
        }
    }
}
