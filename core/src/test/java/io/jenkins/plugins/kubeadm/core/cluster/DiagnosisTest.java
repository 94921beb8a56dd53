package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Diagnosis#workloads}: what a rollout wait says about the workloads it gave up on. */
class DiagnosisTest {

    private final FakeCluster cluster = new FakeCluster();

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    private static Deployment web(int available) {
        return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector().endSpec()
                .withNewStatus().withReplicas(2).withUpdatedReplicas(2).withAvailableReplicas(available).endStatus().build();
    }

    private void pod(String name, Map<String, String> labels, boolean ready) {
        Pod pod = cluster.pod("shop", name, "w1", labels);
        PodStatusBuilder status = new PodStatusBuilder().withPhase(ready ? "Running" : "Pending");
        if (ready) {
            status.addNewCondition().withType("Ready").withStatus("True").endCondition();
        } else {
            status.addToContainerStatuses(new ContainerStatusBuilder().withName("main").withReady(false).withRestartCount(0)
                    .withNewState().withNewWaiting().withReason("ImagePullBackOff").withMessage("Back-off pulling image")
                    .endWaiting().endState().build());
        }
        pod.setStatus(status.build());
        cluster.admin.pods().inNamespace("shop").resource(pod).updateStatus();
    }

    @Test
    void aWorkloadsProgressThenEachOfItsPodsThatIsNotReady() {
        pod("web-a", Map.of("app", "web"), true);
        pod("web-b", Map.of("app", "web"), false);
        pod("db-a", Map.of("app", "db"), false);

        List<String> lines = Diagnosis.workloads(cluster.admin, List.of(web(1)));

        assertEquals(List.of("deployment.apps/web in shop: 2/2 updated, 1/2 available",
                "pod shop/web-b on node w1: container main waiting: ImagePullBackOff: Back-off pulling image"), lines);
    }

    @Test
    void aWorkloadWithoutMatchLabelsHasOnlyItsProgressAndNoPodsAreListed() {
        HasMetadata agent = new DaemonSetBuilder().withNewMetadata().withName("agent").withNamespace("shop").endMetadata()
                .withNewSpec().withNewSelector().endSelector().endSpec().build();

        assertEquals(List.of("daemonset.apps/agent in shop: 0/1 pods available (waiting for the daemonset controller)"),
                Diagnosis.workloads(cluster.admin, List.of(agent)));
        assertTrue(cluster.api.requests().stream().noneMatch(r -> r.contains("/pods")), cluster.api.requests().toString());
    }

    @Test
    void atMostTwentyLines() {
        for (int i = 0; i < 25; i++) {
            pod("web-" + i, Map.of("app", "web"), false);
        }

        List<String> lines = Diagnosis.workloads(cluster.admin, List.of(web(0)));

        assertEquals(Diagnosis.MAX_DETAILS, lines.size());
        assertEquals("deployment.apps/web in shop: 2/2 updated, 0/2 available", lines.get(0));
        assertTrue(lines.subList(1, lines.size()).stream().allMatch(l -> l.startsWith("pod shop/web-")), lines.toString());
    }

    @Test
    void aForbiddenPodListSaysWhatWasRefused() {
        cluster.api.deny("GET", "/api/v1/namespaces/shop/pods", "list", "pods");

        ClusterStepException e = assertThrows(ClusterStepException.class,
                () -> Diagnosis.workloads(cluster.admin, List.of(web(1))));

        assertTrue(e.getMessage().startsWith("forbidden: the kubeconfig's user may not list pods in namespace shop"),
                e.getMessage());
    }
}
