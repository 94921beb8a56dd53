package io.jenkins.plugins.kubeadm.core.exec;

import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One run of a node script: the script, its environment variables, and private files.
 *
 * <p>Values never become shell text: environment values travel as data and are exported by name.
 * A private file (a secret such as a join command) is written root-only next to the script and
 * the environment variable of the same name is set to its path; it is deleted when the step ends.
 * A result file is the way back: the environment variable of that name is set to the path of an
 * empty root-only file, and what the step writes there is handed to the caller by
 * {@link ScriptRunner#runAndCollect}, never through the step's output.
 */
public record StepRequest(StepScript script, Map<String, String> environment, Map<String, byte[]> privateFiles,
                          Set<String> resultFiles) {

    public StepRequest {
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        privateFiles = Collections.unmodifiableMap(new LinkedHashMap<>(privateFiles));
        resultFiles = Collections.unmodifiableSet(new LinkedHashSet<>(resultFiles));
        for (var entry : environment.entrySet()) {
            Validators.environmentName("environment variable name", entry.getKey());
            if (entry.getValue() == null || entry.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable " + entry.getKey() + " has no value or contains a NUL byte");
            }
        }
        for (String name : privateFiles.keySet()) {
            Validators.environmentName("private file name", name);
            if (environment.containsKey(name)) {
                throw new IllegalArgumentException(name + " is both an environment variable and a private file");
            }
        }
        for (String name : resultFiles) {
            Validators.environmentName("result file name", name);
            if (environment.containsKey(name) || privateFiles.containsKey(name)) {
                throw new IllegalArgumentException(name + " is a result file and also an environment variable or private file");
            }
        }
    }

    /** A request without result files. */
    public StepRequest(StepScript script, Map<String, String> environment, Map<String, byte[]> privateFiles) {
        this(script, environment, privateFiles, Set.of());
    }

    public static StepRequest of(StepScript script, Map<String, String> environment) {
        return new StepRequest(script, environment, Map.of());
    }

    /** Prints the names only: values may be secret. */
    @Override
    public String toString() {
        return "StepRequest[" + script.fileName() + ", environment=" + environment.keySet()
                + ", privateFiles=" + privateFiles.keySet() + ", resultFiles=" + resultFiles + "]";
    }
}
