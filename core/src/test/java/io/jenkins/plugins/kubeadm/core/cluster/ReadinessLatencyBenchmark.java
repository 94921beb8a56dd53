package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long after a controller reports a rollout complete the step's wait notices it: the
 * informer-driven wait reacts to the watch event, so this is the watch round trip, not a polling
 * interval. Run with:
 * {@code mvn -B -q -pl core test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.jenkins.plugins.kubeadm.core.cluster.ReadinessLatencyBenchmark}
 * Against fabric8's mock API server on loopback, so it measures our side only; network latency to a
 * real API server adds to it.
 */
public final class ReadinessLatencyBenchmark {

    private ReadinessLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        List<Double> millis = new ArrayList<>();
        try (ApiServerStandIn api = new ApiServerStandIn()) {
            KubernetesClient admin = api.admin();
            try (KubernetesClient client = Kubeconfig.fromContent(api.kubeconfig()).connect()) {
                for (int i = 0; i < rounds; i++) {
                    String name = "bench-" + i;
                    Deployment d = admin.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
                            .withNewMetadata().withName(name).endMetadata().withNewSpec().withReplicas(1)
                            .withNewSelector().addToMatchLabels("app", name).endSelector().withNewTemplate().withNewMetadata()
                            .addToLabels("app", name).endMetadata().withNewSpec().addNewContainer().withName("c")
                            .withImage("example.org/c:1").endContainer().endSpec().endTemplate().endSpec().build()).create();
                    AtomicLong reported = new AtomicLong();
                    Thread controller = new Thread(() -> {
                        try {
                            Thread.sleep(100 + (long) (Math.random() * 100));
                            d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
                                    .withReplicas(1).withUpdatedReplicas(1).withAvailableReplicas(1).build());
                            reported.set(System.nanoTime());
                            admin.apps().deployments().inNamespace("default").resource(d).updateStatus();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    try (Watches watches = new Watches()) {
                        Watches.View<Deployment> view = watches.watch(
                                client.apps().deployments().inNamespace("default").withName(name), "deployments.apps", "default");
                        controller.start();
                        watches.await(name, Duration.ofSeconds(10), Duration.ofSeconds(10), line -> { }, () -> {
                            Rollouts.State s = Rollouts.deployment(view.first());
                            return s.done() ? Readiness.ready(s.progress()) : Readiness.waiting(s.progress(), List::of);
                        });
                        millis.add((System.nanoTime() - reported.get()) / 1e6);
                    }
                    controller.join();
                }
            }
        }
        Collections.sort(millis);
        System.out.printf("readiness detection latency over %d rounds (ms from the status update request to the wait "
                        + "returning): median %.1f, p90 %.1f, max %.1f%n", rounds, millis.get(rounds / 2),
                millis.get((int) Math.floor(rounds * 0.9)), millis.get(rounds - 1));
    }
}
