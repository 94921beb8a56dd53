package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.kubeadm.core.addons.Addon;
import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import io.jenkins.plugins.kubeadm.core.addons.AddonTransforms;
import io.jenkins.plugins.kubeadm.core.addons.ManifestObject;
import io.jenkins.plugins.kubeadm.core.addons.ObjectKey;
import io.jenkins.plugins.kubeadm.core.params.Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * applyCni: installs Flannel, Weave Net or Calico from the pinned upstream manifest, configured
 * with the cluster's pod CIDR, and waits until the network is up (CNI pods on every node, every
 * node Ready, CoreDNS available).
 */
final class CniInstaller {

    /** DaemonSets by which a CNI is recognised, whoever installed it. */
    private record KnownCni(String name, Cni cni, String namespace, String daemonSet) {
    }

    private static final List<KnownCni> KNOWN = List.of(
            new KnownCni("Flannel", Cni.FLANNEL, "kube-flannel", "kube-flannel-ds"),
            new KnownCni("Flannel", Cni.FLANNEL, "kube-system", "kube-flannel-ds"),
            new KnownCni("Weave Net", Cni.WEAVE, "kube-system", "weave-net"),
            new KnownCni("Calico", Cni.CALICO, "kube-system", "calico-node"),
            new KnownCni("Calico (operator)", null, "calico-system", "calico-node"),
            new KnownCni("Canal", null, "kube-system", "canal"),
            new KnownCni("Cilium", null, "kube-system", "cilium"),
            new KnownCni("Antrea", null, "kube-system", "antrea-agent"),
            new KnownCni("kube-router", null, "kube-system", "kube-router"));

    static final String WEAVE_WARNING = "WARNING: Weave Net 2.8.1 is its last release; the project has been "
            + "unmaintained since 2021. For NetworkPolicy on a maintained CNI, use cni: 'calico'.";


    private final KubernetesClient client;
    private final AddonCatalog catalog;
    private final Consumer<String> progress;

    CniInstaller(KubernetesClient client, AddonCatalog catalog, Consumer<String> progress) {
        this.client = client;
        this.catalog = catalog;
        this.progress = progress;
    }

    CniResult apply(CniOptions options) {
        Addon addon = options.release(catalog);
        if (options.cni == Cni.WEAVE) {
            progress.accept(WEAVE_WARNING);
        }
        if (options.iface != null && options.cni != Cni.FLANNEL) {
            throw new ClusterStepException("iface is a Flannel option; " + addon.displayName() + " picks its interface itself");
        }
        refuseOtherCni(options.cni, addon);
        Cidr podCidr = PodCidrs.resolve(PodCidrs.read(client), options.podCidr, addon.displayName(),
                options.cni == Cni.FLANNEL);
        progress.accept(addon.label() + ": pod CIDR " + podCidr);

        List<ManifestObject> objects = AddonManifests.load(addon, options.manifestUrl, options.manifestFile,
                options.sha256, options.downloadTimeout, progress);
        switch (options.cni) {
            case FLANNEL -> {
                AddonTransforms.flannelNetwork(objects, podCidr);
                if (options.iface != null) {
                    AddonTransforms.flannelInterface(objects, options.iface);
                }
            }
            case WEAVE -> AddonTransforms.weaveIpallocRange(objects, podCidr);
            case CALICO -> AddonTransforms.calicoPoolCidr(objects, podCidr);
        }
        if (options.imageRegistry != null) {
            AddonTransforms.rewriteImageRegistry(objects, options.imageRegistry);
        }
        ApplySummary summary = new ServerSideApplier(client, progress)
                .apply(objects.stream().map(ManifestObject::object).toList());
        progress.accept(addon.label() + ": " + summary.line());

        DaemonSet applied = (DaemonSet) AddonTransforms.find(objects, addon.workload());
        waitForNetwork(addon, applied, options);
        progress.accept(addon.label() + " is running on every node; all nodes Ready; CoreDNS available");
        return new CniResult(options.cni, addon.version(), podCidr, summary);
    }

    private void refuseOtherCni(Cni wanted, Addon addon) {
        for (KnownCni known : KNOWN) {
            DaemonSet existing;
            try {
                existing = client.apps().daemonSets().inNamespace(known.namespace()).withName(known.daemonSet()).get();
            } catch (KubernetesClientException e) {
                throw ApiErrors.translate(e, "get", "daemonsets.apps", known.namespace(), known.daemonSet());
            }
            boolean sameKind = known.cni() == wanted
                    && known.namespace().equals(addon.workload().namespace())
                    && known.daemonSet().equals(addon.workload().name());
            if (existing != null && !sameKind) {
                throw new ClusterStepException("the cluster already runs " + known.name() + " (DaemonSet "
                        + known.namespace() + "/" + known.daemonSet() + "); refusing to install " + addon.displayName()
                        + " next to it, since two CNIs on one cluster break pod networking. To change CNI, reset the "
                        + "cluster (kubeadm reset -f and rm -rf /etc/cni/net.d on every node) and rebuild it.");
            }
        }
    }

    private void waitForNetwork(Addon addon, DaemonSet applied, CniOptions options) {
        ObjectKey dsKey = addon.workload();
        Map<String, String> podLabels = applied.getSpec().getSelector().getMatchLabels();
        try (Watches watches = new Watches()) {
            Watches.View<DaemonSet> ds = watches.watch(
                    client.apps().daemonSets().inNamespace(dsKey.namespace()).withName(dsKey.name()),
                    "daemonsets.apps", dsKey.namespace());
            Watches.View<Node> nodes = watches.watch(client.nodes(), "nodes", null);
            Watches.View<Deployment> dns = watches.watch(
                    client.apps().deployments().inNamespace("kube-system").withName("coredns"),
                    "deployments.apps", "kube-system");
            watches.watch(client.pods().inNamespace(dsKey.namespace()).withLabels(podLabels), "pods", dsKey.namespace());
            watches.await(addon.label(), options.timeout, options.heartbeat, progress, () -> {
                List<Node> nodeList = nodes.list();
                long readyNodes = nodeList.stream().filter(Diagnosis::isReady).count();
                Rollouts.State dsState = Rollouts.daemonSet(ds.first(), nodeList.size());
                Deployment coredns = dns.first();
                int dnsDesired = coredns == null || coredns.getSpec().getReplicas() == null ? 0 : coredns.getSpec().getReplicas();
                int dnsAvailable = coredns == null || coredns.getStatus() == null || coredns.getStatus().getAvailableReplicas() == null
                        ? 0 : coredns.getStatus().getAvailableReplicas();
                String summary = dsKey.name() + ": " + dsState.progress() + "; nodes Ready: " + readyNodes + "/"
                        + nodeList.size() + "; CoreDNS: " + (coredns == null ? "not deployed" : dnsAvailable + "/" + dnsDesired);
                boolean ready = dsState.done() && !nodeList.isEmpty() && readyNodes == nodeList.size()
                        && dnsAvailable >= dnsDesired;
                return ready ? Readiness.ready(summary)
                        : Readiness.waiting(summary, () -> diagnose(applied, dsKey, podLabels, nodeList, coredns));
            });
        }
    }

    /** Each node and pod that is not ready, with the API's reason; called once, when the wait gives up. */
    private List<String> diagnose(DaemonSet applied, ObjectKey dsKey, Map<String, String> podLabels,
                                  List<Node> nodes, Deployment coredns) {
        List<String> details = new ArrayList<>();
        List<Pod> cniPods = Diagnosis.pods(client, dsKey.namespace(), podLabels);
        for (Node node : nodes) {
            String nodeName = node.getMetadata().getName();
            if (!Diagnosis.isReady(node)) {
                details.add(Diagnosis.node(node));
            }
            List<Pod> onNode = cniPods.stream()
                    .filter(p -> p.getSpec() != null && nodeName.equals(p.getSpec().getNodeName())).toList();
            if (onNode.stream().anyMatch(Diagnosis::isReady)) {
                continue;
            }
            if (!onNode.isEmpty()) {
                onNode.forEach(p -> details.add(Diagnosis.pod(p)));
                continue;
            }
            List<String> taints = Diagnosis.untoleratedTaints(node,
                    applied.getSpec().getTemplate().getSpec().getTolerations());
            details.add(taints.isEmpty() ? "no " + dsKey.name() + " pod on node " + nodeName + " yet"
                    : "node " + nodeName + " has taint " + String.join(", ", taints) + " that " + dsKey.name()
                    + " does not tolerate, so no pod of it runs there");
        }
        cniPods.stream().filter(p -> p.getSpec() == null || p.getSpec().getNodeName() == null)
                .forEach(p -> details.add(Diagnosis.pod(p)));
        if (coredns != null) {
            List<Pod> dnsPods = Diagnosis.pods(client, "kube-system", Map.of("k8s-app", "kube-dns"));
            dnsPods.stream().filter(p -> !Diagnosis.isReady(p)).forEach(p -> details.add(Diagnosis.pod(p)));
            if (dnsPods.isEmpty()) {
                details.add("CoreDNS has no pods yet");
            }
        }
        return details.size() > Diagnosis.MAX_DETAILS ? details.subList(0, Diagnosis.MAX_DETAILS) : details;
    }
}
