package io.jenkins.plugins.kubeadm.core.secrets;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The streaming masking algorithm, for one stream; not thread-safe (callers lock).
 *
 * <p>Bytes are released left to right. A byte is held back while the bytes from it to the end of
 * what has arrived are a proper prefix of a secret that could still extend the mask; so the held
 * tail is always shorter than the longest secret, and a line end releases everything unless a
 * secret itself spans lines. Where matches overlap or touch, their union is masked, so no fragment
 * of an overlapping secret survives next to a mask.
 */
final class RedactionState {

    private static final byte[] MASK_BYTES = SecretRedactor.MASK.getBytes(StandardCharsets.US_ASCII);

    private byte[] held = new byte[0];
    /** How many of the next bytes fall inside a match already found. */
    private int maskRemaining;
    /** Whether the mask for the current run of masked bytes has been written. */
    private boolean maskWritten;

    /**
     * Feeds bytes and writes what is decided to {@code out}. With {@code endOfStream} nothing more can
     * complete a secret, so everything held is released.
     */
    void process(MaskPatterns patterns, byte[] data, int off, int len, boolean endOfStream, ByteArrayOutputStream out) {
        byte[] buf;
        if (held.length == 0) {
            buf = off == 0 && len == data.length ? data : Arrays.copyOfRange(data, off, off + len);
        } else {
            buf = Arrays.copyOf(held, held.length + len);
            System.arraycopy(data, off, buf, held.length, len);
        }
        int n = buf.length;
        int i = 0;
        while (i < n) {
            int complete = 0;
            int incomplete = 0;
            for (MaskPatterns.BytePattern p : patterns.startingWith(buf[i])) {
                int length = p.length();
                int j = 1;
                while (j < length && i + j < n && p.matches(j, buf[i + j] & 0xff)) {
                    j++;
                }
                if (j == length) {
                    complete = Math.max(complete, length);
                } else if (i + j == n) {
                    incomplete = Math.max(incomplete, length);
                }
            }
            if (!endOfStream && incomplete > Math.max(complete, maskRemaining)) {
                break;
            }
            maskRemaining = Math.max(maskRemaining, complete);
            if (maskRemaining > 0) {
                if (!maskWritten) {
                    out.write(MASK_BYTES, 0, MASK_BYTES.length);
                    maskWritten = true;
                }
                if (--maskRemaining == 0) {
                    maskWritten = false;
                }
            } else {
                out.write(buf[i]);
            }
            i++;
        }
        held = i == n ? new byte[0] : Arrays.copyOfRange(buf, i, n);
        if (endOfStream) {
            maskRemaining = 0;
            maskWritten = false;
        }
    }

    /** Bytes received but not yet released; for tests. */
    int heldLength() {
        return held.length;
    }
}
