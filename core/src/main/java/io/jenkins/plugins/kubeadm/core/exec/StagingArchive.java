package io.jenkins.plugins.kubeadm.core.exec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The payload a node receives on standard input: a ustar archive with the step script, the shared
 * library, the environment (NUL-separated NAME=value entries), the private files and, when the
 * request has result files, the run's result id and their names. Sending data
 * rather than command text is what keeps user values out of the shell.
 */
final class StagingArchive {

    private static final int BLOCK = 512;
    /** GNU tar reads 20-block records; a whole record lets it stop exactly at the archive's end. */
    private static final int RECORD = 20 * BLOCK;

    private StagingArchive() {
    }

    static byte[] build(StepRequest request) {
        return build(request, null);
    }

    /** @param resultId the run's result id (see {@link ResultFiles}), or null for a request without result files */
    static byte[] build(StepRequest request, String resultId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        addFile(out, "step.sh", request.script().content(), 0700);
        addFile(out, StepScript.COMMON_LIBRARY, request.script().commonLibrary(), 0600);
        addFile(out, StepScript.DEFAULTS, request.script().defaults(), 0600);
        ByteArrayOutputStream env = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : request.environment().entrySet()) {
            env.writeBytes((e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
            env.write(0);
        }
        addFile(out, "env", env.toByteArray(), 0600);
        for (Map.Entry<String, byte[]> f : request.privateFiles().entrySet()) {
            addFile(out, "files/" + f.getKey(), f.getValue(), 0600);
        }
        if (resultId != null) {
            addFile(out, "result-id", resultId.getBytes(StandardCharsets.US_ASCII), 0600);
            for (String name : request.resultFiles()) {
                addFile(out, "results/" + name, new byte[0], 0600);
            }
        }
        out.writeBytes(new byte[2 * BLOCK]);
        int padding = (RECORD - out.size() % RECORD) % RECORD;
        out.writeBytes(new byte[padding]);
        return out.toByteArray();
    }

    private static void addFile(ByteArrayOutputStream out, String name, byte[] content, int mode) {
        byte[] header = new byte[BLOCK];
        put(header, 0, 100, name.getBytes(StandardCharsets.US_ASCII));
        put(header, 100, 8, octal(mode, 7));
        put(header, 108, 8, octal(0, 7));
        put(header, 116, 8, octal(0, 7));
        put(header, 124, 12, octal(content.length, 11));
        put(header, 136, 12, octal(0, 11));
        header[156] = '0';
        put(header, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(header, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xFF;
        }
        put(header, 148, 8, (String.format("%06o", sum) + "\0 ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(header);
        out.writeBytes(content);
        out.writeBytes(new byte[(BLOCK - content.length % BLOCK) % BLOCK]);
    }

    private static byte[] octal(long value, int digits) {
        return (String.format("%0" + digits + "o", value) + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    private static void put(byte[] header, int offset, int length, byte[] value) {
        if (value.length > length) {
            throw new IllegalArgumentException("tar header field too long");
        }
        System.arraycopy(value, 0, header, offset, value.length);
    }
}
