package io.jenkins.plugins.kubeadm.core.logs;

import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.secrets.RedactingOutputStream;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes lines to a console stream (such as a build log) as {@code [node] text}, or
 * {@code [node:stderr] text}, through the redactor. The console stays open: {@link #finish()}
 * releases what the redactor holds without closing it.
 */
public final class ConsoleLineSink implements LineSink {

    private final RedactingOutputStream out;

    public ConsoleLineSink(OutputStream console, SecretRedactor redactor) {
        this.out = redactor.wrap(console);
    }

    @Override
    public void line(String node, Stream stream, String text) {
        String prefix = stream == Stream.STDERR ? "[" + node + ":stderr] " : "[" + node + "] ";
        byte[] bytes = (prefix + text + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            synchronized (out) {
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the console", e);
        }
    }

    /** Releases any bytes the redactor still holds and flushes; the console is not closed. */
    public void finish() {
        try {
            out.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the console", e);
        }
    }
}
