package io.jenkins.plugins.kubeadm.core.secrets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * An immutable snapshot of what to mask, as byte patterns indexed by their first byte. The redactor
 * swaps in a new snapshot when a secret is added, so streams never lock while matching.
 */
final class MaskPatterns {

    /** A fixed-length byte pattern. */
    abstract static class BytePattern {
        abstract int length();

        abstract boolean matches(int index, int unsignedByte);
    }

    static final class Literal extends BytePattern {
        private final byte[] bytes;

        Literal(String secret) {
            this.bytes = secret.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        int length() {
            return bytes.length;
        }

        @Override
        boolean matches(int index, int unsignedByte) {
            return (bytes[index] & 0xff) == unsignedByte;
        }
    }

    /** One set of allowed bytes per position, for secrets known only by their form. */
    static final class Shape extends BytePattern {
        private final boolean[][] allowed;

        Shape(String... positionClasses) {
            allowed = new boolean[positionClasses.length][256];
            for (int i = 0; i < positionClasses.length; i++) {
                for (char c : positionClasses[i].toCharArray()) {
                    allowed[i][c] = true;
                }
            }
        }

        @Override
        int length() {
            return allowed.length;
        }

        @Override
        boolean matches(int index, int unsignedByte) {
            return allowed[index][unsignedByte];
        }
    }

    /** A kubeadm bootstrap token, {@code [a-z0-9]{6}.[a-z0-9]{16}}, whoever created it. */
    static final Shape BOOTSTRAP_TOKEN;

    static {
        String alnum = "abcdefghijklmnopqrstuvwxyz0123456789";
        String[] classes = new String[23];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = i == 6 ? "." : alnum;
        }
        BOOTSTRAP_TOKEN = new Shape(classes);
    }

    private static final BytePattern[] NONE = new BytePattern[0];

    /** Declared after NONE, which its construction reads. */
    static final MaskPatterns EMPTY = new MaskPatterns(List.of());

    private final BytePattern[][] byFirstByte = new BytePattern[256][];

    MaskPatterns(Collection<? extends BytePattern> patterns) {
        List<List<BytePattern>> buckets = new ArrayList<>(256);
        for (int b = 0; b < 256; b++) {
            buckets.add(new ArrayList<>());
        }
        for (BytePattern p : patterns) {
            for (int b = 0; b < 256; b++) {
                if (p.matches(0, b)) {
                    buckets.get(b).add(p);
                }
            }
        }
        for (int b = 0; b < 256; b++) {
            byFirstByte[b] = buckets.get(b).isEmpty() ? NONE : buckets.get(b).toArray(NONE);
        }
    }

    /** The patterns that could start with this byte. */
    BytePattern[] startingWith(byte b) {
        return byFirstByte[b & 0xff];
    }
}
