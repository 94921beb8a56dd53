package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** verifyCluster's GPU checks: each GPU node's allocatable GPUs, and nvidia-smi in a pod that requests one when an image is given. */
class VerifyGpuChecksTest {

    private static Node node(String name, boolean gpuLabel, String gpus) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus().endStatus();
        if (gpuLabel) {
            node.editMetadata().addToLabels("nvidia.com/gpu.present", "true").endMetadata();
        }
        if (gpus != null) {
            node.editStatus().addToAllocatable(Map.of("cpu", new Quantity("8"), "nvidia.com/gpu", new Quantity(gpus))).endStatus();
        }
        return node.build();
    }

    @Test
    void onlyTheGpuNodesAreCheckedAndOneWithoutGpusFailsNamingWhatToCheck() {
        List<VerifyReport.Check> checks = ClusterVerifier.gpuNodeChecks(List.of(node("cp1", false, null), node("gpu-a", true, "2"),
                node("gpu-b", true, "0"), node("gpu-c", true, null)), Instant.now());
        assertEquals(List.of("gpu-a offers allocatable nvidia.com/gpu", "gpu-b offers allocatable nvidia.com/gpu",
                "gpu-c offers allocatable nvidia.com/gpu"), checks.stream().map(VerifyReport.Check::name).toList());
        assertNull(checks.get(0).failure());
        assertTrue(checks.get(1).failure().startsWith("allocatable nvidia.com/gpu is 0: the NVIDIA device plugin does not run there"),
                checks.get(1).failure());
        assertTrue(checks.get(1).failure().contains("gpu-node.sh on gpu-b"), checks.get(1).failure());
        assertTrue(checks.get(2).failure().startsWith("allocatable nvidia.com/gpu is not advertised"), checks.get(2).failure());
        assertEquals(List.of(), ClusterVerifier.gpuNodeChecks(List.of(node("cp1", false, null)), Instant.now()), "no GPU node, no GPU check");
    }

    @Test
    void theSmokePodRunsNvidiaSmiOnAGpuAndPassesWhenItSucceeds() throws Exception {
        try (FakeCluster cluster = new FakeCluster()) {
            cluster.admin.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                    .withName("kubeadm-verify-test").endMetadata().build()).create();
            AtomicReference<Pod> smokePod = new AtomicReference<>();
            cluster.control(() -> {
                Pod pod = FakeCluster.eventually(() -> cluster.admin.pods().inNamespace("kubeadm-verify-test")
                        .withName("kubeadm-pipeline-gpu-smoke").get());
                smokePod.set(pod);
                pod.setStatus(new PodStatusBuilder().withPhase("Succeeded").build());
                cluster.admin.pods().inNamespace("kubeadm-verify-test").resource(pod).updateStatus();
            });
            ClusterVerifier verifier = new ClusterVerifier(cluster.admin, cluster.progress());
            VerifyOptions options = new VerifyOptions().gpuSmokeImage("10.0.0.5:5000/nvidia/cuda:12.4.1-base-ubuntu22.04")
                    .timeout(Duration.ofSeconds(10));
            VerifyReport.Check check = verifier.gpuSmokeCheck("kubeadm-verify-test", List.of(node("gpu-a", true, "1")), options, Instant.now());
            assertEquals("a pod that requests one nvidia.com/gpu runs nvidia-smi", check.name());
            assertNull(check.failure(), check.failure());
            Pod pod = smokePod.get();
            assertEquals("1", pod.getSpec().getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu").getAmount());
            assertEquals("10.0.0.5:5000/nvidia/cuda:12.4.1-base-ubuntu22.04", pod.getSpec().getContainers().get(0).getImage());
            assertNull(pod.getSpec().getRuntimeClassName(), "no nvidia RuntimeClass in this cluster, so none asked for");
        }
    }

    @Test
    void withoutAGpuNodeTheSmokeCheckFailsSayingSoAndABadImageIsAParameterError() throws Exception {
        try (FakeCluster cluster = new FakeCluster()) {
            VerifyReport.Check check = new ClusterVerifier(cluster.admin, cluster.progress()).gpuSmokeCheck("ns",
                    List.of(node("cp1", false, null)), new VerifyOptions().gpuSmokeImage("cuda:12"), Instant.now());
            assertTrue(check.failure().startsWith("no node is labelled nvidia.com/gpu.present=true"), check.failure());
            assertEquals(List.of(), cluster.admin.pods().inAnyNamespace().list().getItems(), "no pod was made");
        }
        ParameterException bad = assertThrows(ParameterException.class, () -> new VerifyOptions().gpuSmokeImage("not an image"));
        assertTrue(bad.getMessage().startsWith("gpuSmokeImage:"), bad.getMessage());
    }
}
