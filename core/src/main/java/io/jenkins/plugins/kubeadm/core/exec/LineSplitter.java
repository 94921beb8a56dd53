package io.jenkins.plugins.kubeadm.core.exec;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Turns a byte stream into lines for a {@link LineSink}; a last line without newline is flushed on close. */
final class LineSplitter extends OutputStream {

    private final String node;
    private final LineSink.Stream stream;
    private final LineSink sink;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();

    LineSplitter(String node, LineSink.Stream stream, LineSink sink) {
        this.node = node;
        this.stream = stream;
        this.sink = sink;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else {
            current.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                current.write(b, start, i - start);
                emit();
                start = i + 1;
            }
        }
        current.write(b, start, off + len - start);
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
        if (current.size() > 0) {
            emit();
        }
    }
}
