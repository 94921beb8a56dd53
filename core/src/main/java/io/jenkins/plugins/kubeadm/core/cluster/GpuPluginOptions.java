package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Parameters of installGpuPlugin's cluster side (the node side is gpu-node.sh). */
public final class GpuPluginOptions {

    /** How pods get the NVIDIA runtime; must match NVIDIA_RUNTIME_MODE given to gpu-node.sh. */
    public enum RuntimeMode {
        /** nvidia is containerd's default runtime: every pod on a GPU node can get a GPU. */
        DEFAULT,
        /** nvidia is an extra runtime handler; GPU pods set runtimeClassName: nvidia. */
        RUNTIME_CLASS
    }

    /** A CUDA base image; with the NVIDIA container toolkit, nvidia-smi is available in it. */
    public static final String DEFAULT_SMOKE_IMAGE = "nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04";

    List<String> gpuNodes = List.of();
    RuntimeMode runtimeMode = RuntimeMode.DEFAULT;
    URI manifestUrl;
    Path manifestFile;
    String sha256;
    String imageRegistry;
    String smokeImage;
    String smokeNamespace = "default";
    Duration timeout = Duration.ofMinutes(5);
    Duration smokeTimeout = Duration.ofMinutes(5);
    Duration downloadTimeout = Duration.ofSeconds(60);
    Duration heartbeat = Duration.ofSeconds(15);

    /** Names of the GPU nodes; when empty, the nodes already labelled nvidia.com/gpu.present=true. */
    public GpuPluginOptions gpuNodes(List<String> names) {
        List<String> checked = new ArrayList<>();
        for (String name : names == null ? List.<String>of() : names) {
            checked.add(Validators.hostname("gpuNodes", name));
        }
        gpuNodes = List.copyOf(checked);
        return this;
    }

    /** {@code default} (nvidia is containerd's default runtime) or {@code runtimeClass}. */
    public GpuPluginOptions runtime(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        runtimeMode = switch (v) {
            case "", "default" -> RuntimeMode.DEFAULT;
            case "runtimeclass" -> RuntimeMode.RUNTIME_CLASS;
            default -> throw new ParameterException("runtime", "'" + value + "' is not a runtime mode",
                    "default (nvidia is containerd's default runtime) or runtimeClass (RuntimeClass nvidia)");
        };
        return this;
    }

    public GpuPluginOptions manifestUrl(String value) {
        manifestUrl = value == null || value.isBlank() ? null : Validators.httpUrl("manifestUrl", value);
        return this;
    }

    public GpuPluginOptions manifestFile(String value) {
        manifestFile = value == null || value.isBlank() ? null : Validators.existingFile("manifestFile", value);
        return this;
    }

    public GpuPluginOptions sha256(String value) {
        sha256 = value == null || value.isBlank() ? null : Validators.sha256("sha256", value);
        return this;
    }

    public GpuPluginOptions imageRegistry(String value) {
        imageRegistry = value == null || value.isBlank() ? null : Validators.imageRegistry("imageRegistry", value);
        return this;
    }

    /** Run a pod requesting one GPU with this image and {@code nvidia-smi} as its command; see {@link #DEFAULT_SMOKE_IMAGE}. */
    public GpuPluginOptions smokeImage(String value) {
        if (value == null || value.isBlank()) {
            smokeImage = null;
        } else {
            smokeImage = Validators.imageReference("smokeImage", value, DEFAULT_SMOKE_IMAGE);
        }
        return this;
    }

    public GpuPluginOptions smokeNamespace(String value) {
        smokeNamespace = Validators.namespace("smokeNamespace", value);
        return this;
    }

    public GpuPluginOptions timeoutSeconds(long seconds) {
        timeout = Validators.timeoutSeconds("timeout", seconds);
        return this;
    }

    public GpuPluginOptions timeout(Duration value) {
        timeout = CniOptions.positive(value);
        return this;
    }

    public GpuPluginOptions smokeTimeout(Duration value) {
        smokeTimeout = CniOptions.positive(value);
        return this;
    }

    public GpuPluginOptions heartbeat(Duration value) {
        heartbeat = CniOptions.positive(value);
        return this;
    }
}
