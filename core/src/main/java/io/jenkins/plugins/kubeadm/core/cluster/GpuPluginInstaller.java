package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.kubeadm.core.addons.Addon;
import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import io.jenkins.plugins.kubeadm.core.addons.AddonTransforms;
import io.jenkins.plugins.kubeadm.core.addons.ManifestObject;
import io.jenkins.plugins.kubeadm.core.addons.PodSpecs;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * installGpuPlugin, cluster side: labels the GPU nodes, applies the pinned NVIDIA device plugin
 * DaemonSet (restricted to those nodes; with RuntimeClass nvidia when the runtime is not the
 * default), waits until every GPU node advertises allocatable nvidia.com/gpu, and optionally runs
 * a pod that requests one GPU and runs nvidia-smi.
 */
final class GpuPluginInstaller {

    static final String ADDON = "nvidia-device-plugin";
    static final String GPU_RESOURCE = "nvidia.com/gpu";
    /** The label NVIDIA's own charts select GPU nodes by (set by GPU feature discovery when installed). */
    static final String GPU_LABEL = "nvidia.com/gpu.present";
    static final String RUNTIME_CLASS = "nvidia";

    private final KubernetesClient client;
    private final AddonCatalog catalog;
    private final Consumer<String> progress;

    GpuPluginInstaller(KubernetesClient client, AddonCatalog catalog, Consumer<String> progress) {
        this.client = client;
        this.catalog = catalog;
        this.progress = progress;
    }

    GpuPluginResult install(GpuPluginOptions options) {
        Addon addon = catalog.addon(ADDON);
        List<String> gpuNodes = gpuNodes(options);
        List<ManifestObject> objects = AddonManifests.load(addon, options.manifestUrl, options.manifestFile,
                options.sha256, options.downloadTimeout, progress);
        DaemonSet plugin = (DaemonSet) AddonTransforms.find(objects, addon.workload());
        PodSpec pod = PodSpecs.of(plugin);
        Map<String, String> selector = new HashMap<>(pod.getNodeSelector() == null ? Map.of() : pod.getNodeSelector());
        selector.put(GPU_LABEL, "true");
        pod.setNodeSelector(selector);
        if (options.runtimeMode == GpuPluginOptions.RuntimeMode.RUNTIME_CLASS) {
            pod.setRuntimeClassName(RUNTIME_CLASS);
        }
        if (options.imageRegistry != null) {
            AddonTransforms.rewriteImageRegistry(objects, options.imageRegistry);
        }

        for (String node : gpuNodes) {
            label(node);
        }
        List<HasMetadata> toApply = new ArrayList<>();
        if (options.runtimeMode == GpuPluginOptions.RuntimeMode.RUNTIME_CLASS) {
            toApply.add(new RuntimeClassBuilder().withNewMetadata().withName(RUNTIME_CLASS).endMetadata()
                    .withHandler(RUNTIME_CLASS).build());
        }
        objects.forEach(o -> toApply.add(o.object()));
        ApplySummary summary = new ServerSideApplier(client, progress).apply(toApply);
        progress.accept(addon.label() + ": " + summary.line());

        Map<String, String> gpus = awaitGpus(addon, plugin, gpuNodes, options);
        String smoke = options.smokeImage == null ? null : smokePod(options);
        return new GpuPluginResult(addon.version(), gpus, summary, smoke);
    }

    private List<String> gpuNodes(GpuPluginOptions options) {
        List<Node> nodes;
        try {
            nodes = client.nodes().list().getItems();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "list", "nodes", null, null);
        }
        List<String> names = nodes.stream().map(n -> n.getMetadata().getName()).toList();
        if (options.gpuNodes.isEmpty()) {
            List<String> labelled = nodes.stream().filter(n -> n.getMetadata().getLabels() != null
                    && "true".equals(n.getMetadata().getLabels().get(GPU_LABEL))).map(n -> n.getMetadata().getName()).toList();
            if (labelled.isEmpty()) {
                throw new ParameterException("gpuNodes", "is empty and no node is labelled " + GPU_LABEL + "=true",
                        "the names of the GPU nodes, e.g. ['gpu-1'] (cluster nodes: " + String.join(", ", names) + ")");
            }
            return labelled;
        }
        for (String wanted : options.gpuNodes) {
            if (!names.contains(wanted)) {
                throw new ParameterException("gpuNodes", "node '" + wanted + "' is not in the cluster",
                        "names of cluster nodes: " + String.join(", ", names));
            }
        }
        return options.gpuNodes;
    }

    /** Server-side apply of just this label, so no other field of the Node changes owner. */
    private void label(String nodeName) {
        Node labelOnly = new NodeBuilder().withNewMetadata().withName(nodeName).addToLabels(GPU_LABEL, "true")
                .endMetadata().build();
        try {
            client.nodes().resource(labelOnly).fieldManager(ServerSideApplier.FIELD_MANAGER).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "patch", "nodes", null, nodeName);
        }
        progress.accept("node/" + nodeName + " labelled " + GPU_LABEL + "=true");
    }

    private Map<String, String> awaitGpus(Addon addon, DaemonSet plugin, List<String> gpuNodes, GpuPluginOptions options) {
        var dsKey = addon.workload();
        Map<String, String> podLabels = plugin.getSpec().getSelector().getMatchLabels();
        try (Watches watches = new Watches()) {
            Watches.View<Node> nodes = watches.watch(client.nodes(), "nodes", null);
            Watches.View<DaemonSet> ds = watches.watch(
                    client.apps().daemonSets().inNamespace(dsKey.namespace()).withName(dsKey.name()),
                    "daemonsets.apps", dsKey.namespace());
            watches.await(addon.label(), options.timeout, options.heartbeat, progress, () -> {
                Map<String, String> gpus = gpusPerNode(nodes.list(), gpuNodes);
                long advertising = gpus.values().stream().filter(v -> new BigDecimal(v).signum() > 0).count();
                String summary = "GPU nodes advertising " + GPU_RESOURCE + ": " + advertising + "/" + gpuNodes.size()
                        + " (" + gpus.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("")
                        + "); " + dsKey.name() + ": " + Rollouts.daemonSet(ds.first(), gpuNodes.size()).progress();
                if (advertising == gpuNodes.size()) {
                    return Readiness.ready(summary);
                }
                return Readiness.waiting(summary, () -> diagnose(gpus, nodes.list(), dsKey.namespace(), podLabels));
            });
            return gpusPerNode(nodes.list(), gpuNodes);
        }
    }

    private static Map<String, String> gpusPerNode(List<Node> nodes, List<String> gpuNodes) {
        Map<String, String> gpus = new LinkedHashMap<>();
        for (String name : gpuNodes) {
            Node node = nodes.stream().filter(n -> name.equals(n.getMetadata().getName())).findFirst().orElse(null);
            Quantity q = node == null || node.getStatus() == null || node.getStatus().getAllocatable() == null ? null
                    : node.getStatus().getAllocatable().get(GPU_RESOURCE);
            gpus.put(name, q == null ? "0" : q.getNumericalAmount().stripTrailingZeros().toPlainString());
        }
        return gpus;
    }

    private List<String> diagnose(Map<String, String> gpus, List<Node> nodes, String namespace, Map<String, String> podLabels) {
        List<Pod> pods;
        try {
            pods = client.pods().inNamespace(namespace).withLabels(podLabels).list().getItems();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "list", "pods", namespace, null);
        }
        List<String> details = new ArrayList<>();
        for (var entry : gpus.entrySet()) {
            if (new BigDecimal(entry.getValue()).signum() > 0) {
                continue;
            }
            String name = entry.getKey();
            StringBuilder line = new StringBuilder("node " + name + " advertises no allocatable " + GPU_RESOURCE);
            nodes.stream().filter(n -> name.equals(n.getMetadata().getName()) && !Diagnosis.isReady(n)).findFirst()
                    .ifPresent(n -> line.append(" (").append(Diagnosis.node(n)).append(")"));
            List<Pod> onNode = pods.stream().filter(p -> p.getSpec() != null && name.equals(p.getSpec().getNodeName())).toList();
            if (onNode.isEmpty()) {
                line.append("; no device plugin pod runs there");
            } else {
                onNode.forEach(p -> line.append("; ").append(Diagnosis.isReady(p) ? "device plugin pod "
                        + p.getMetadata().getName() + " is running but found no GPU" : Diagnosis.pod(p)));
            }
            line.append(" (check gpu-node.sh ran there: driver, nvidia-container-toolkit, containerd nvidia runtime)");
            details.add(line.toString());
        }
        return details;
    }

    /** Runs nvidia-smi in a pod that requests one GPU; returns its output. The pod is deleted afterwards. */
    private String smokePod(GpuPluginOptions options) {
        return new GpuSmokePod(client, progress).run(options.smokeNamespace, options.smokeImage,
                options.runtimeMode == GpuPluginOptions.RuntimeMode.RUNTIME_CLASS, options.smokeTimeout, options.heartbeat);
    }
}
