package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImagePullFailuresTest {

    private static final long SECOND = 1_000_000_000L;
    private final ImagePullFailures failures = new ImagePullFailures(Duration.ofSeconds(60));

    private static Deployment web(String image) {
        return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata().withNewSpec()
                .withNewTemplate().withNewSpec().addNewContainer().withName("nginx").withImage(image).endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    private static ContainerStatus waiting(String name, String reason, String message) {
        return new ContainerStatusBuilder().withName(name).withReady(false).withNewState().withNewWaiting()
                .withReason(reason).withMessage(message).endWaiting().endState().build();
    }

    private static ContainerStatus running(String name) {
        return new ContainerStatusBuilder().withName(name).withReady(true).withNewState().withNewRunning().endRunning()
                .endState().build();
    }

    /** A pod whose only container, nginx, runs {@code image}. */
    private static Pod pod(String name, String image, ContainerStatus status) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata().withNewSpec()
                .addNewContainer().withName("nginx").withImage(image).endContainer().endSpec().withNewStatus()
                .withContainerStatuses(status).endStatus().build();
    }

    private ImagePullFailures.Verdict check(Deployment workload, long atSeconds, Pod... pods) {
        return failures.check(List.of(new ImagePullFailures.RollingOut(workload, List.of(pods))), atSeconds * SECOND);
    }

    @Test
    void aPullFailingForTheGracePeriodFailsNamingPodContainerImageReasonAndMessage() {
        Deployment web = web("nginx:typo");
        ImagePullFailures.Verdict first = check(web, 100, pod("web-a", "nginx:typo",
                waiting("nginx", "ErrImagePull", "rpc error: code = NotFound desc = nginx:typo: not found")));
        assertNull(first.failure());
        assertEquals(Duration.ofSeconds(60), first.recheckIn());

        // kubelet's backoff changes the reason; the container has been failing all along, so the period runs on.
        Pod backingOff = pod("web-a", "nginx:typo", waiting("nginx", "ImagePullBackOff", "Back-off pulling image \"nginx:typo\""));
        ImagePullFailures.Verdict before = check(web, 159, backingOff);
        assertNull(before.failure());
        assertEquals(Duration.ofSeconds(1), before.recheckIn());

        assertEquals("pod shop/web-a: container nginx has not been able to pull image nginx:typo for 60s: "
                + "ImagePullBackOff: Back-off pulling image \"nginx:typo\"", check(web, 160, backingOff).failure());
    }

    @Test
    void aContainerThatPulledItsImageStartsAnewIfItFailsAgain() {
        Deployment web = web("nginx:1.27");
        Pod failing = pod("web-a", "nginx:1.27", waiting("nginx", "ErrImagePull", "i/o timeout"));
        check(web, 0, failing);
        assertEquals(new ImagePullFailures.Verdict(null, null), check(web, 30, pod("web-a", "nginx:1.27", running("nginx"))));
        assertEquals(Duration.ofSeconds(60), check(web, 40, failing).recheckIn());
        assertNull(check(web, 99, failing).failure());
    }

    @Test
    void anOlderRevisionsPodThatCannotPullItsImageIsNotTheRollouts() {
        Deployment web = web("nginx:1.27");
        Pod old = pod("web-old", "nginx:typo", waiting("nginx", "ImagePullBackOff", "Back-off pulling image \"nginx:typo\""));
        check(web, 0, old);
        assertEquals(new ImagePullFailures.Verdict(null, null), check(web, 600, old));
    }

    @Test
    void anInitContainerOfAStatefulSetCounts() {
        StatefulSet db = new StatefulSetBuilder().withNewMetadata().withName("db").withNamespace("shop").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewInitContainer().withName("migrate")
                .withImage("example.org/migrate:2").endInitContainer().addNewContainer().withName("postgres")
                .withImage("postgres:17").endContainer().endSpec().endTemplate().endSpec().build();
        Pod pod = new PodBuilder().withNewMetadata().withName("db-0").withNamespace("shop").endMetadata().withNewSpec()
                .addNewInitContainer().withName("migrate").withImage("example.org/migrate:2").endInitContainer()
                .addNewContainer().withName("postgres").withImage("postgres:17").endContainer().endSpec().withNewStatus()
                .withInitContainerStatuses(waiting("migrate", "ErrImagePull", "unauthorized"))
                .withContainerStatuses(waiting("postgres", "PodInitializing", null)).endStatus().build();
        List<ImagePullFailures.RollingOut> rollingOut = List.of(new ImagePullFailures.RollingOut(db, List.of(pod)));
        failures.check(rollingOut, 0);
        assertEquals("pod shop/db-0: init container migrate has not been able to pull image example.org/migrate:2 for 60s: "
                + "ErrImagePull: unauthorized", failures.check(rollingOut, 60 * SECOND).failure());
    }
}
