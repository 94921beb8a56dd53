package io.jenkins.plugins.kubeadm.core.exec;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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
