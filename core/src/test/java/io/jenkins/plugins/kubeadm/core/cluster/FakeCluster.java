package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A cluster for the step tests: the mock API server, the objects kubeadm init leaves behind,
 * and the controllers' part, played from background threads that change status step by step.
 * A controller step can wait for the step's progress line, so each intermediate state is seen.
 */
final class FakeCluster implements AutoCloseable {

    static final Duration PATIENCE = Duration.ofSeconds(10);

    final ApiServerStandIn api = new ApiServerStandIn();
    final KubernetesClient admin = api.admin();
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final ExecutorService controllers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-controller");
        t.setDaemon(true);
        return t;
    });
    private final List<Future<?>> running = new ArrayList<>();
    private final Object lineLock = new Object();

    /** The step's progress sink: records each line. */
    Consumer<String> progress() {
        return line -> {
            synchronized (lineLock) {
                lines.add(line);
                lineLock.notifyAll();
            }
        };
    }

    /** The steps as a pipeline uses them: through a kubeconfig given as content. */
    ClusterSteps steps() {
        return ClusterSteps.connect(Kubeconfig.fromContent(api.kubeconfig()), progress());
    }

    static AddonCatalog catalog() {
        return AddonCatalog.load();
    }

    // --- what kubeadm init and join leave in the cluster -------------------------------------

    void kubeadmConfig(String podSubnet) {
        String clusterConfiguration = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n"
                + "kubernetesVersion: v1.31.2\nnetworking:\n  dnsDomain: cluster.local\n  serviceSubnet: 10.96.0.0/12\n"
                + (podSubnet == null ? "" : "  podSubnet: " + podSubnet + "\n");
        admin.configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("kubeadm-config").withNamespace("kube-system").endMetadata()
                .addToData("ClusterConfiguration", clusterConfiguration).build()).create();
    }

    /** A node as kubelet registers it before any CNI: NotReady because the network plugin is missing. */
    void node(String name, String podCidr, Taint... taints) {
        Node node = admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withPodCIDR(podCidr).withTaints(taints).endSpec().build()).create();
        node.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder().withConditions(notReady()).build());
        admin.nodes().resource(node).updateStatus();
    }

    static NodeCondition notReady() {
        return new NodeConditionBuilder().withType("Ready").withStatus("False").withReason("KubeletNotReady")
                .withMessage("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
                        + "message:Network plugin returns error: cni plugin not initialized").build();
    }

    void nodeReady(String name) {
        Node node = admin.nodes().withName(name).get();
        node.getStatus().setConditions(List.of(new NodeConditionBuilder().withType("Ready").withStatus("True")
                .withReason("KubeletReady").withMessage("kubelet is posting ready status").build()));
        admin.nodes().resource(node).updateStatus();
    }

    void gpuAllocatable(String name, int gpus) {
        Node node = admin.nodes().withName(name).get();
        node.getStatus().setAllocatable(Map.of("cpu", new Quantity("8"), "nvidia.com/gpu", new Quantity(String.valueOf(gpus))));
        admin.nodes().resource(node).updateStatus();
    }

    void coreDns(int replicas) {
        admin.apps().deployments().inNamespace("kube-system").resource(new DeploymentBuilder().withNewMetadata()
                .withName("coredns").withNamespace("kube-system").endMetadata().withNewSpec().withReplicas(replicas)
                .withNewSelector().addToMatchLabels("k8s-app", "kube-dns").endSelector().withNewTemplate()
                .withNewMetadata().addToLabels("k8s-app", "kube-dns").endMetadata().withNewSpec().addNewContainer()
                .withName("coredns").withImage("registry.k8s.io/coredns/coredns:v1.11.3").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
    }

    void coreDnsAvailable(int available) {
        Deployment dns = admin.apps().deployments().inNamespace("kube-system").withName("coredns").get();
        dns.setStatus(new DeploymentStatusBuilder().withObservedGeneration(dns.getMetadata().getGeneration())
                .withReplicas(dns.getSpec().getReplicas()).withUpdatedReplicas(dns.getSpec().getReplicas())
                .withAvailableReplicas(available).withReadyReplicas(available).build());
        admin.apps().deployments().inNamespace("kube-system").resource(dns).updateStatus();
    }

    /** The daemonset controller's report: {@code available} of {@code desired} pods up to date and available. */
    void daemonSetAvailable(String namespace, String name, int desired, int available) {
        DaemonSet ds = admin.apps().daemonSets().inNamespace(namespace).withName(name).get();
        ds.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(ds.getMetadata().getGeneration())
                .withDesiredNumberScheduled(desired).withCurrentNumberScheduled(desired)
                .withUpdatedNumberScheduled(desired).withNumberAvailable(available).withNumberReady(available).build());
        admin.apps().daemonSets().inNamespace(namespace).resource(ds).updateStatus();
    }

    Pod pod(String namespace, String name, String nodeName, Map<String, String> labels) {
        return admin.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).withLabels(labels).endMetadata().withNewSpec().withNodeName(nodeName)
                .addNewContainer().withName("main").withImage("example.org/app:1").endContainer().endSpec().build()).create();
    }

    // --- controllers --------------------------------------------------------------------------

    /** Runs a controller in the background; its failure fails the test at close(). */
    void control(ThrowingRunnable controller) {
        running.add(controllers.submit(() -> {
            controller.run();
            return null;
        }));
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Waits (test side) until the supplier returns non-null, e.g. for the step to create an object. */
    static <T> T eventually(Supplier<T> lookup) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            T value = lookup.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting in the fake controller");
    }

    /** Waits until the step has printed a progress line containing {@code fragment}. */
    void awaitLine(String fragment) throws InterruptedException {
        awaitLine(0, fragment);
    }

    /**
     * Waits until the step has printed, as its {@code fromLine}th line or later, a progress line containing
     * {@code fragment}: with {@code lines.size()} taken before a status change, a line about that change,
     * not an earlier wait's line that reads the same.
     */
    void awaitLine(int fromLine, String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        synchronized (lineLock) {
            while (lines.subList(Math.min(fromLine, lines.size()), lines.size()).stream().noneMatch(l -> l.contains(fragment))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no progress line containing '" + fragment + "'; lines: " + lines);
                }
                lineLock.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            for (Future<?> f : running) {
                if (f.isDone()) {
                    f.get();
                }
            }
        } finally {
            controllers.shutdownNow();
            api.close();
        }
    }
}
