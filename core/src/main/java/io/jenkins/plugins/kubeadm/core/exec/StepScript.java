package io.jenkins.plugins.kubeadm.core.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A node script, the shared library it sources and the defaults that library sources. The scripts
 * live in {@code resources/kubeadm/scripts/<name>} and are loaded from the classpath
 * ({@code kubeadm/scripts/}); the runners ship all three, laid out as in that folder.
 */
public record StepScript(String fileName, byte[] content, byte[] commonLibrary, byte[] defaults) {

    public static final String RESOURCE_FOLDER = "kubeadm/scripts/";
    public static final String COMMON_LIBRARY = "lib/common.sh";
    public static final String DEFAULTS = "lib/defaults.env";

    public StepScript {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(commonLibrary, "commonLibrary");
        Objects.requireNonNull(defaults, "defaults");
        if (!fileName.matches("[a-z0-9][a-z0-9-]*\\.sh")) {
            throw new IllegalArgumentException("script file name must look like step-name.sh: " + fileName);
        }
    }

    /** A script of our own (tests) with this jar's shared library and defaults. */
    public StepScript(String fileName, byte[] content, byte[] commonLibrary) {
        this(fileName, content, commonLibrary, resource(RESOURCE_FOLDER + DEFAULTS));
    }

    /** Loads {@code kubeadm/scripts/<fileName>}, the shared library and the defaults from the classpath. */
    public static StepScript load(String fileName) {
        return new StepScript(fileName, resource(RESOURCE_FOLDER + fileName), resource(RESOURCE_FOLDER + COMMON_LIBRARY),
                resource(RESOURCE_FOLDER + DEFAULTS));
    }

    static byte[] resource(String path) {
        try (InputStream in = StepScript.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no node script on the classpath at " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** The step name a log file is named after: {@code prepare-node} for {@code prepare-node.sh}. */
    public String stepName() {
        return fileName.substring(0, fileName.length() - ".sh".length());
    }
}
