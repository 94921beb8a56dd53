package io.jenkins.plugins.kubeadm.core.secrets;

import io.jenkins.plugins.kubeadm.core.exec.LineSink;

import java.util.Objects;

/**
 * Masks secrets in each whole line before passing it on. A line is only as whole as whoever split
 * it made it: put a {@link RedactingOutputStream} in front of the line splitting as well, so that a
 * secret split across two writes of a stream is caught before it is cut into lines.
 */
public final class RedactingLineSink implements LineSink {

    private final LineSink delegate;
    private final SecretRedactor redactor;

    public RedactingLineSink(LineSink delegate, SecretRedactor redactor) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.redactor = Objects.requireNonNull(redactor, "redactor");
    }

    @Override
    public void line(String node, Stream stream, String text) {
        delegate.line(node, stream, redactor.redact(text));
    }
}
