package io.jenkins.plugins.kubeadm.core.secrets;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Masks the secrets of a {@link SecretRedactor} in the bytes written through it, also when a secret
 * is split across {@code write} calls. Thread-safe.
 *
 * <p>{@link #flush()} does not release bytes that may begin a secret (that would leak its first
 * part); {@link #finish()} and {@link #close()} release everything.
 */
public final class RedactingOutputStream extends OutputStream {

    private final SecretRedactor redactor;
    private final OutputStream target;
    private final RedactionState state = new RedactionState();
    private final ByteArrayOutputStream released = new ByteArrayOutputStream();
    private boolean closed;

    RedactingOutputStream(SecretRedactor redactor, OutputStream target) {
        this.redactor = redactor;
        this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        pass(b, off, len, false);
    }

    /** Flushes the target; bytes that may still be the start of a secret stay held. */
    @Override
    public synchronized void flush() throws IOException {
        target.flush();
    }

    /** Releases everything held and flushes, leaving the target open (e.g. a console owned by someone else). */
    public synchronized void finish() throws IOException {
        if (!closed) {
            pass(new byte[0], 0, 0, true);
            target.flush();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            finish();
        } finally {
            closed = true;
            target.close();
        }
    }

    private void pass(byte[] b, int off, int len, boolean endOfStream) throws IOException {
        released.reset();
        state.process(redactor.patterns(), b, off, len, endOfStream, released);
        if (released.size() > 0) {
            released.writeTo(target);
        }
    }
}
