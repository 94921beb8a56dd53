package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.params.Defaults;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.time.Duration;

/** Parameters of verifyCluster. */
public final class VerifyOptions {

    String probeImage = Defaults.VERIFY_PROBE_IMAGE;
    Duration timeout = Duration.ofMinutes(5);
    Duration heartbeat = Duration.ofSeconds(15);
    String gpuSmokeImage;

    /** The probe pods' image (sh, wget, nslookup, httpd): a mirror's copy of busybox on a site without internet access. */
    public VerifyOptions probeImage(String value) {
        if (value != null) {
            probeImage = Validators.imageReference("probeImage", value, "10.0.0.5:5000/library/busybox:1.36.1");
        }
        return this;
    }

    /**
     * An image with nvidia-smi (a CUDA base image): verifyCluster then also runs it in a pod that requests
     * one GPU. Null: no such check (the GPU nodes' allocatable GPUs are checked either way).
     */
    public VerifyOptions gpuSmokeImage(String value) {
        gpuSmokeImage = value == null ? null : Validators.imageReference("gpuSmokeImage", value, GpuPluginOptions.DEFAULT_SMOKE_IMAGE);
        return this;
    }

    /** How long the probe pods may take to start and to finish their checks. */
    public VerifyOptions timeout(Duration value) {
        timeout = CniOptions.positive(value);
        return this;
    }

    public VerifyOptions timeoutSeconds(long seconds) {
        return timeout(Duration.ofSeconds(seconds));
    }

    VerifyOptions heartbeat(Duration value) {
        heartbeat = CniOptions.positive(value);
        return this;
    }
}
