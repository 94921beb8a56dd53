package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parameters of deployWorkload. Exactly one of manifestPath (a file, or a directory of .yaml,
 * .yml and .json files) and manifestText (multi-document YAML) is required.
 */
public final class WorkloadOptions {

    private static final Pattern SMOKE_TARGET = Pattern.compile("(service|svc|pod)/([^:/]+):([A-Za-z0-9-]{1,15})");

    /** Where an HTTP smoke check is sent through the API server proxy. */
    public record SmokeTarget(String resource, String name, String port) {

        /** The kind a manifest gives the target object: {@code Service} or {@code Pod}. */
        String kind() {
            return resource.equals("pods") ? "Pod" : "Service";
        }
    }

    Path manifestPath;
    String manifestText;
    String namespace;
    boolean rollbackOnFailure;
    SmokeTarget smokeTarget;
    String smokePath = "/";
    Duration timeout = Duration.ofMinutes(5);
    Duration smokeTimeout = Duration.ofSeconds(60);
    Duration heartbeat = Duration.ofSeconds(15);
    /**
     * How long a rollout's container may keep failing to pull its image (ErrImagePull, ImagePullBackOff)
     * before the rollout fails without waiting for the timeout: long enough for a slow registry or
     * one retried pull, short against the default 5-minute timeout.
     */
    Duration imagePullGrace = Duration.ofSeconds(60);

    public WorkloadOptions manifestPath(String value) {
        String form = "a manifest file or a directory of .yaml/.yml/.json files";
        Path path = Path.of(Validators.required("manifestPath", value, form));
        if (!Files.isReadable(path)) {
            throw new ParameterException("manifestPath", "'" + value + "' does not exist or is not readable", form);
        }
        manifestPath = path;
        return this;
    }

    public WorkloadOptions manifestText(String value) {
        manifestText = Validators.required("manifestText", value, "one or more YAML documents separated by ---");
        return this;
    }

    /** Namespace for namespaced objects that name none; an object naming another namespace is an error. */
    public WorkloadOptions namespace(String value) {
        namespace = value == null || value.isBlank() ? null : Validators.namespace("namespace", value);
        return this;
    }

    /** On a failed rollout, roll each Deployment back to its previous revision (the step still fails). */
    public WorkloadOptions rollbackOnFailure(boolean value) {
        rollbackOnFailure = value;
        return this;
    }

    /**
     * {@code service/NAME:PORT} or {@code pod/NAME:PORT}: after the rollout, GET through the API server proxy must answer 2xx.
     * It is sent to the step's namespace, or else to the namespace the manifests give that Service or Pod, or else to default.
     */
    public WorkloadOptions smokeTarget(String value) {
        if (value == null || value.isBlank()) {
            smokeTarget = null;
            return this;
        }
        Matcher m = SMOKE_TARGET.matcher(value.trim());
        String form = "service/NAME:PORT or pod/NAME:PORT, e.g. service/nginx:80";
        if (!m.matches()) {
            throw new ParameterException("smokeTarget", "'" + value + "' is not a smoke check target", form);
        }
        String resource = m.group(1).equals("pod") ? "pods" : "services";
        smokeTarget = new SmokeTarget(resource, Validators.objectName("smokeTarget", m.group(2)), m.group(3));
        return this;
    }

    /** Path requested by the smoke check (default /). */
    public WorkloadOptions smokePath(String value) {
        smokePath = Validators.urlPath("smokePath", value);
        return this;
    }

    public WorkloadOptions timeoutSeconds(long seconds) {
        timeout = Validators.timeoutSeconds("timeout", seconds);
        return this;
    }

    public WorkloadOptions timeout(Duration value) {
        timeout = CniOptions.positive(value);
        return this;
    }

    public WorkloadOptions smokeTimeout(Duration value) {
        smokeTimeout = CniOptions.positive(value);
        return this;
    }

    public WorkloadOptions heartbeat(Duration value) {
        heartbeat = CniOptions.positive(value);
        return this;
    }

    public WorkloadOptions imagePullGrace(Duration value) {
        imagePullGrace = CniOptions.positive(value);
        return this;
    }

    void check() {
        if ((manifestPath == null) == (manifestText == null)) {
            throw new ParameterException(manifestPath == null ? "manifestPath" : "manifestText",
                    manifestPath == null ? "is required" : "cannot be combined with manifestText",
                    "exactly one of manifestPath (file or directory) and manifestText (YAML)");
        }
    }
}
