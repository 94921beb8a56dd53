package io.jenkins.plugins.kubeadm.core.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The way result files come back from a node: a random id per run names their folder there, and
 * {@link NodeBootstrap#FETCH_SCRIPT} sends them as {@code name NUL size NUL content} records.
 */
final class ResultFiles {

    /** More is refused: result files are small (a join command), and the payload is held in memory. */
    static final int MAX_BYTES = 1 << 20;

    private static final SecureRandom RANDOM = new SecureRandom();

    private ResultFiles() {
    }

    /** 32 lower-case hex digits. */
    static String newId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    /** Parses the fetch payload; every expected name is in the result, empty when the node sent none. */
    static Map<String, byte[]> parse(byte[] payload, Set<String> expected) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        int pos = 0;
        while (pos < payload.length) {
            int nameEnd = indexOfNul(payload, pos);
            int sizeEnd = nameEnd < 0 ? -1 : indexOfNul(payload, nameEnd + 1);
            if (sizeEnd < 0) {
                throw new IOException("malformed result files from the node");
            }
            String name = new String(payload, pos, nameEnd - pos, StandardCharsets.US_ASCII);
            long size;
            try {
                size = Long.parseLong(new String(payload, nameEnd + 1, sizeEnd - nameEnd - 1, StandardCharsets.US_ASCII).trim());
            } catch (NumberFormatException e) {
                throw new IOException("malformed result files from the node (bad size)");
            }
            if (!expected.contains(name) || size < 0 || size > payload.length - sizeEnd - 1) {
                throw new IOException("malformed result files from the node (unexpected file or size)");
            }
            int start = sizeEnd + 1;
            byte[] content = new byte[(int) size];
            System.arraycopy(payload, start, content, 0, content.length);
            files.put(name, content);
            pos = start + content.length;
        }
        for (String name : expected) {
            files.putIfAbsent(name, new byte[0]);
        }
        return files;
    }

    private static int indexOfNul(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Collects at most {@link #MAX_BYTES} plus framing; beyond that it only remembers it overflowed. */
    static final class BoundedBuffer extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private boolean overflowed;

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (overflowed || bytes.size() + len > MAX_BYTES + 4096) {
                overflowed = true;
                return;
            }
            bytes.write(b, off, len);
        }

        synchronized byte[] toByteArray() throws IOException {
            if (overflowed) {
                throw new IOException("the step's result files exceed " + MAX_BYTES + " bytes");
            }
            return bytes.toByteArray();
        }
    }
}
