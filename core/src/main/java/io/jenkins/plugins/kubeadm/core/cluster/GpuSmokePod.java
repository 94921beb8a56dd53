package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A pod that requests one GPU and runs nvidia-smi: installGpuPlugin's smoke test and verifyCluster's
 * GPU check. It is deleted afterwards; a leftover one (same name) is replaced by the next run.
 */
final class GpuSmokePod {

    static final String NAME = "kubeadm-pipeline-gpu-smoke";

    private final KubernetesClient client;
    private final Consumer<String> progress;

    GpuSmokePod(KubernetesClient client, Consumer<String> progress) {
        this.client = Objects.requireNonNull(client, "client");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /**
     * @param runtimeClass run it with the {@code nvidia} RuntimeClass (installGpuPlugin's runtimeClass mode)
     * @return nvidia-smi's output
     * @throws ClusterStepException when the pod fails or does not finish in time, with its output
     */
    String run(String namespace, String image, boolean runtimeClass, Duration timeout, Duration heartbeat) {
        var pods = client.pods().inNamespace(namespace);
        PodBuilder builder = new PodBuilder().withNewMetadata().withName(NAME).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", ServerSideApplier.FIELD_MANAGER).endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewToleration().withKey(GpuPluginInstaller.GPU_RESOURCE).withOperator("Exists").withEffect("NoSchedule").endToleration()
                .addNewContainer().withName("nvidia-smi").withImage(image).withCommand("nvidia-smi")
                .withNewResources().addToLimits(GpuPluginInstaller.GPU_RESOURCE, new Quantity("1")).endResources().endContainer()
                .endSpec();
        if (runtimeClass) {
            builder.editSpec().withRuntimeClassName(GpuPluginInstaller.RUNTIME_CLASS).endSpec();
        }
        try {
            pods.withName(NAME).withTimeout(30, TimeUnit.SECONDS).delete();
            pods.resource(builder.build()).create();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "create", "pods", namespace, NAME);
        }
        progress.accept("GPU smoke pod " + namespace + "/" + NAME + " created (" + image + ", nvidia-smi)");
        try (Watches watches = new Watches()) {
            Watches.View<Pod> view = watches.watch(pods.withName(NAME), "pods", namespace);
            watches.await("GPU smoke pod", timeout, heartbeat, progress, () -> {
                Pod p = view.first();
                String phase = p == null || p.getStatus() == null || p.getStatus().getPhase() == null ? "Pending" : p.getStatus().getPhase();
                String summary = "GPU smoke pod: " + phase;
                if ("Succeeded".equals(phase)) {
                    return Readiness.ready(summary);
                }
                List<String> why = p == null ? List.of("the pod is gone") : List.of(Diagnosis.pod(p));
                return "Failed".equals(phase) ? Readiness.failed(summary, "GPU smoke pod failed", () -> why)
                        : Readiness.waiting(summary, () -> why);
            });
            String log = log(namespace);
            log.lines().forEach(l -> progress.accept("nvidia-smi | " + l));
            return log;
        } catch (ClusterStepException e) {
            String log = log(namespace);
            throw new ClusterStepException(e.getMessage() + (log.isBlank() ? "" : "; its output: "
                    + String.join(" / ", log.lines().limit(20).toList())));
        } finally {
            try {
                pods.withName(NAME).delete();
            } catch (KubernetesClientException ignored) {
                // Best effort: the pod is named, so a leftover one is replaced by the next run.
            }
        }
    }

    private String log(String namespace) {
        try {
            String log = client.pods().inNamespace(namespace).withName(NAME).getLog();
            return log == null ? "" : log;
        } catch (KubernetesClientException e) {
            return "";
        }
    }
}
