package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InstallGpuPluginTest {

    private static FakeCluster clusterWithTwoGpuNodes() {
        FakeCluster cluster = new FakeCluster();
        for (String name : List.of("cp1", "gpu-a", "gpu-b")) {
            cluster.node(name, null);
            cluster.nodeReady(name);
        }
        return cluster;
    }

    @Test
    void timeoutNamesTheGpuNodeThatAdvertisesNoGpu() throws Exception {
        try (FakeCluster cluster = clusterWithTwoGpuNodes(); ManifestServer manifests = new ManifestServer();
             ClusterSteps steps = cluster.steps()) {
            cluster.control(() -> {
                FakeCluster.eventually(() -> cluster.admin.apps().daemonSets().inNamespace("kube-system")
                        .withName("nvidia-device-plugin-daemonset").get());
                cluster.awaitLine("GPU nodes advertising nvidia.com/gpu: 0/2 (gpu-a: 0, gpu-b: 0)");
                cluster.daemonSetAvailable("kube-system", "nvidia-device-plugin-daemonset", 2, 1);
                cluster.gpuAllocatable("gpu-a", 1);
                Pod crashing = cluster.pod("kube-system", "nvidia-device-plugin-daemonset-b7x2k", "gpu-b",
                        Map.of("name", "nvidia-device-plugin-ds"));
                crashing.setStatus(new PodStatusBuilder().withPhase("Running").addToContainerStatuses(new ContainerStatusBuilder()
                        .withName("nvidia-device-plugin-ctr").withReady(false).withRestartCount(3).withNewState().withNewWaiting()
                        .withReason("CrashLoopBackOff").withMessage("back-off 40s restarting failed container").endWaiting()
                        .endState().build()).build());
                cluster.admin.pods().inNamespace("kube-system").resource(crashing).updateStatus();
            });
            WaitTimeoutException e = assertThrows(WaitTimeoutException.class, () -> steps.installGpuPlugin(new GpuPluginOptions()
                    .gpuNodes(List.of("gpu-a", "gpu-b")).manifestUrl(manifests.url("nvidia-device-plugin.yml"))
                    .timeout(Duration.ofSeconds(2))));

            assertEquals(1, e.notReady().size(), e.notReady().toString());
            String line = e.notReady().get(0);
            assertTrue(line.startsWith("node gpu-b advertises no allocatable nvidia.com/gpu"), line);
            assertTrue(line.contains("nvidia-device-plugin-daemonset-b7x2k on node gpu-b: container nvidia-device-plugin-ctr waiting: CrashLoopBackOff"), line);
            assertFalse(e.getMessage().contains("gpu-a advertises"), e.getMessage());
            assertTrue(cluster.lines.contains("GPU nodes advertising nvidia.com/gpu: 1/2 (gpu-a: 1, gpu-b: 0); "
                    + "nvidia-device-plugin-daemonset: 1/2 pods available"), cluster.lines.toString());

            for (String node : List.of("gpu-a", "gpu-b")) {
                assertEquals("true", cluster.admin.nodes().withName(node).get().getMetadata().getLabels().get("nvidia.com/gpu.present"));
            }
            Map<String, String> cp1Labels = cluster.admin.nodes().withName("cp1").get().getMetadata().getLabels();
            assertFalse(cp1Labels != null && cp1Labels.containsKey("nvidia.com/gpu.present"), "only GPU nodes are labelled");
            DaemonSet ds = cluster.admin.apps().daemonSets().inNamespace("kube-system").withName("nvidia-device-plugin-daemonset").get();
            assertEquals(Map.of("nvidia.com/gpu.present", "true"), ds.getSpec().getTemplate().getSpec().getNodeSelector());
            assertEquals("nvcr.io/nvidia/k8s-device-plugin:v0.17.1", ds.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
            assertNull(ds.getSpec().getTemplate().getSpec().getRuntimeClassName());
            assertNull(cluster.admin.resources(RuntimeClass.class).withName("nvidia").get());
        }
    }

    @Test
    void runtimeClassModeWaitsForEveryGpuNodeThenRunsNvidiaSmi() throws Exception {
        try (FakeCluster cluster = clusterWithTwoGpuNodes(); ManifestServer manifests = new ManifestServer();
             ClusterSteps steps = cluster.steps()) {
            String smokePath = "/api/v1/namespaces/default/pods/kubeadm-pipeline-gpu-smoke/log?pretty=false";
            cluster.api.server().expect().get().withPath(smokePath)
                    .andReturn(200, "NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4\n|   0  Tesla T4  |\n")
                    .always();
            AtomicReference<Pod> smokePod = new AtomicReference<>();
            cluster.control(() -> {
                FakeCluster.eventually(() -> cluster.admin.apps().daemonSets().inNamespace("kube-system")
                        .withName("nvidia-device-plugin-daemonset").get());
                cluster.gpuAllocatable("gpu-a", 1);
                cluster.awaitLine("GPU nodes advertising nvidia.com/gpu: 1/2");
                cluster.gpuAllocatable("gpu-b", 4);
                Pod pod = FakeCluster.eventually(() -> cluster.admin.pods().inNamespace("default")
                        .withName("kubeadm-pipeline-gpu-smoke").get());
                smokePod.set(pod);
                cluster.awaitLine("GPU smoke pod: Pending");
                pod.setStatus(new PodStatusBuilder().withPhase("Succeeded").build());
                cluster.admin.pods().inNamespace("default").resource(pod).updateStatus();
            });
            GpuPluginResult result = steps.installGpuPlugin(new GpuPluginOptions().gpuNodes(List.of("gpu-a", "gpu-b"))
                    .runtime("runtimeClass").manifestUrl(manifests.url("nvidia-device-plugin.yml"))
                    .smokeImage(GpuPluginOptions.DEFAULT_SMOKE_IMAGE).timeout(Duration.ofSeconds(10))
                    .smokeTimeout(Duration.ofSeconds(10)));

            assertEquals(Map.of("gpu-a", "1", "gpu-b", "4"), result.gpusPerNode());
            RuntimeClass runtimeClass = cluster.admin.resources(RuntimeClass.class).withName("nvidia").get();
            assertNotNull(runtimeClass);
            assertEquals("nvidia", runtimeClass.getHandler());
            DaemonSet ds = cluster.admin.apps().daemonSets().inNamespace("kube-system").withName("nvidia-device-plugin-daemonset").get();
            assertEquals("nvidia", ds.getSpec().getTemplate().getSpec().getRuntimeClassName());
            Pod pod = smokePod.get();
            assertEquals("nvidia", pod.getSpec().getRuntimeClassName());
            assertEquals("1", pod.getSpec().getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu").getAmount());
            assertEquals(List.of("nvidia-smi"), pod.getSpec().getContainers().get(0).getCommand());
            assertTrue(result.smokeOutput().contains("Tesla T4"), result.smokeOutput());
            assertTrue(cluster.lines.contains("nvidia-smi | |   0  Tesla T4  |"), cluster.lines.toString());
            assertNull(cluster.admin.pods().inNamespace("default").withName("kubeadm-pipeline-gpu-smoke").get(), "smoke pod removed");
        }
    }

    @Test
    void unknownGpuNodeIsAParameterError() throws Exception {
        try (FakeCluster cluster = clusterWithTwoGpuNodes(); ClusterSteps steps = cluster.steps()) {
            ParameterException e = assertThrows(ParameterException.class,
                    () -> steps.installGpuPlugin(new GpuPluginOptions().gpuNodes(List.of("gpu-c"))));
            assertEquals("gpuNodes", e.parameter());
            assertTrue(e.getMessage().contains("cp1, gpu-a, gpu-b"), e.getMessage());
        }
        assertEquals("runtime", assertThrows(ParameterException.class, () -> new GpuPluginOptions().runtime("cdi")).parameter());
    }
}
