package io.jenkins.plugins.kubeadm.core.logs;

import io.jenkins.plugins.kubeadm.core.secrets.RedactingOutputStream;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The log of one step on one node, redacted before it reaches the disk. Thread-safe: a node's
 * stdout and stderr may write at the same time.
 *
 * <p>A failed step's log ends with its diagnostics: {@link #fail(String, String)} writes the failure
 * line and then the diagnostics, or call {@link #markFailed(String)}, then
 * {@link #appendDiagnostics(String, String)} once per section, then {@link #close()}.
 *
 * <p>Methods throw {@link UncheckedIOException} so they can be called from a {@code LineSink}.
 */
public final class StepLog implements Closeable {

    public enum Outcome { RUNNING, SUCCEEDED, FAILED }

    private final String node;
    private final String step;
    private final int sequence;
    private final Path file;
    private final RedactingOutputStream out;
    private final Instant started = Instant.now();
    private final Consumer<StepLog> onClose;
    private Outcome outcome = Outcome.RUNNING;
    private boolean closed;

    /** @param onClose told once, when the log is closed, e.g. to record the step in the index */
    StepLog(String node, String step, int sequence, Path file, SecretRedactor redactor, Consumer<StepLog> onClose) throws IOException {
        this.node = node;
        this.step = step;
        this.sequence = sequence;
        this.file = file;
        this.onClose = onClose;
        // CREATE_NEW: a log is never written over, whatever another run left in the folder.
        this.out = redactor.wrap(new BufferedOutputStream(
                Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)));
        try {
            writeLine("== step " + step + " on " + node + ", started " + started + " ==");
        } catch (UncheckedIOException e) {
            out.close();
            throw e.getCause();
        }
    }

    public String node() {
        return node;
    }

    public String step() {
        return step;
    }

    /** The NN of the file name. */
    public int sequence() {
        return sequence;
    }

    public Path file() {
        return file;
    }

    public Instant started() {
        return started;
    }

    public synchronized Outcome outcome() {
        return outcome;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Appends one line of step output. */
    public synchronized void line(String text) {
        ensureOpen();
        writeLine(text);
    }

    /** Appends one line if the log is still open; false when it was already closed. */
    synchronized boolean lineIfOpen(String text) {
        if (closed) {
            return false;
        }
        writeLine(text);
        return true;
    }

    /** Appends raw bytes (e.g. a stream copied as is); redacted like everything else. */
    public synchronized void write(byte[] bytes, int off, int len) {
        ensureOpen();
        try {
            out.write(bytes, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** A view for code that wants a stream; closing it does not close the log. */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                StepLog.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                StepLog.this.write(b, off, len);
            }
        };
    }

    /** Records success and closes the log. */
    public synchronized void succeed() {
        ensureOpen();
        outcome = Outcome.SUCCEEDED;
        writeLine("== step " + step + " on " + node + " succeeded ==");
        close();
    }

    /** Records the failure; diagnostics sections may follow. */
    public synchronized void markFailed(String reason) {
        ensureOpen();
        outcome = Outcome.FAILED;
        writeLine("== step " + step + " on " + node + " FAILED: " + (reason == null ? "no reason given" : reason) + " ==");
    }

    /** Appends a diagnostics section (kubelet journal, containerd status, ...), redacted like the rest. */
    public synchronized void appendDiagnostics(String title, String text) {
        ensureOpen();
        writeLine("== diagnostics: " + (title == null || title.isBlank() ? "diagnostics" : title) + " ==");
        if (text != null && !text.isEmpty()) {
            writeText(text.endsWith("\n") ? text : text + "\n");
        }
    }

    /** Records the failure, appends the diagnostics and closes: the log ends with the diagnostics. */
    public synchronized void fail(String reason, String diagnostics) {
        markFailed(reason);
        appendDiagnostics("diagnostics", diagnostics == null || diagnostics.isEmpty() ? "(none collected)" : diagnostics);
        close();
    }

    /** Closes the log, releasing every byte the redactor held; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        } finally {
            onClose.accept(this);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the " + step + " log of node " + node + " is closed");
        }
    }

    private void writeLine(String text) {
        writeText((text == null ? "" : text) + "\n");
    }

    private void writeText(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            // Each line reaches the file at once, so a log read while the step hangs is up to date.
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
