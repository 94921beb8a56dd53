package io.jenkins.plugins.kubeadm.core.exec;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a step ended and what it wrote to its result files (see {@link StepRequest}). The contents
 * may be secret: {@link #toString()} shows sizes only, and {@link #clear()} zeroes them.
 *
 * @param files by result file name; a file the step left empty maps to an empty array
 */
public record CollectedRun(ExecResult result, Map<String, byte[]> files) {

    public CollectedRun {
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    /**
     * The result files a node or an agent sent back, checked where they arrive as that side may not be
     * trusted: only the names the request asked for, each and all together within the size the runners
     * collect. A refused reply's contents are zeroed and named nowhere.
     *
     * @throws IOException naming the node and what was wrong
     */
    public static CollectedRun fromUntrusted(String node, ExecResult result, Map<String, byte[]> files, Set<String> expected)
            throws IOException {
        String problem = null;
        long total = 0;
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            if (!expected.contains(file.getKey())) {
                problem = "a result file the step did not ask for";
            } else if (file.getValue() == null || file.getValue().length > ResultFiles.MAX_BYTES) {
                problem = "a result file over " + ResultFiles.MAX_BYTES + " bytes";
            }
            total += file.getValue() == null ? 0 : file.getValue().length;
        }
        if (problem == null && total > ResultFiles.MAX_BYTES) {
            problem = "result files over " + ResultFiles.MAX_BYTES + " bytes together";
        }
        if (problem != null) {
            files.values().stream().filter(Objects::nonNull).forEach(content -> Arrays.fill(content, (byte) 0));
            throw new IOException(node + " sent " + problem + "; the controller refused its reply");
        }
        Map<String, byte[]> all = new LinkedHashMap<>(files);
        for (String name : expected) {
            all.putIfAbsent(name, new byte[0]);
        }
        return new CollectedRun(result, all);
    }

    /** The content of a result file; empty when the step wrote nothing there. */
    public byte[] file(String name) {
        byte[] content = files.get(name);
        if (content == null) {
            throw new IllegalArgumentException("no result file " + name + " was requested");
        }
        return content;
    }

    /** Overwrites every content with zeros, once the caller has what it needs. */
    public void clear() {
        files.values().forEach(content -> Arrays.fill(content, (byte) 0));
    }

    @Override
    public String toString() {
        return "CollectedRun[" + result + ", files=" + files.entrySet().stream()
                .map(e -> e.getKey() + "(" + e.getValue().length + " bytes)").collect(Collectors.joining(", ", "[", "]")) + "]";
    }
}
