package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.cluster.ManifestServer;
import io.jenkins.plugins.kubeadm.core.testnodes.KubernetesTestBed;
import io.jenkins.plugins.kubeadm.core.testnodes.StandInAptRepository;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import io.jenkins.plugins.kubeadm.core.testnodes.TestRegistry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fresh test nodes with what a real v1.26.1 cluster is built from on this machine: the test bed's
 * Kubernetes packages in an apt repository, its images in a registry, and Flannel's manifest, all
 * served on the nodes' network.
 */
record RealTestBed(TestNodes nodes, StandInAptRepository repo, TestRegistry registry, ManifestServer manifests) implements AutoCloseable {

    static RealTestBed start(KubernetesTestBed testBed, String... nodeNames) throws Exception {
        return start(testBed, testBed.debs(), nodeNames);
    }

    /** The same, with the upgrade release's packages ({@link KubernetesTestBed#UPGRADE_VERSION}) beside v1.26.1's in the 1.26 repository. */
    static RealTestBed startWithUpgradeRelease(KubernetesTestBed testBed, String... nodeNames) throws Exception {
        List<Path> debs = new java.util.ArrayList<>(testBed.debs());
        debs.addAll(testBed.upgradeDebs());
        return start(testBed, debs, nodeNames);
    }

    private static RealTestBed start(KubernetesTestBed testBed, List<Path> debs, String... nodeNames) throws Exception {
        TestNodes nodes = TestNodes.start(nodeNames);
        StandInAptRepository repo = null;
        TestRegistry registry = null;
        try {
            repo = StandInAptRepository.serve(nodes.hostAddress(), List.of(), Map.of("1.26", debs));
            registry = TestRegistry.serve(nodes.hostAddress(), testBed.registryStorage());
            return new RealTestBed(nodes, repo, registry, new ManifestServer(nodes.hostAddress(), "/realcluster"));
        } catch (Exception | Error e) {
            for (AutoCloseable c : new AutoCloseable[] {registry, repo, nodes}) {
                if (c != null) {
                    c.close();
                }
            }
            throw e;
        }
    }

    /** An inventory of the test nodes: those named cp... are control planes, the others workers, each reached as root. */
    String inventoryText() {
        StringBuilder lines = new StringBuilder();
        for (TestNode n : nodes.nodes()) {
            lines.append(n.name()).append(n.name().startsWith("cp") ? " control-plane " : " worker ").append("root@").append(n.address())
                    .append('\n');
        }
        return lines.toString();
    }

    /** kubeadmCluster's values that build a cluster of an inventory's nodes from this test bed's packages, images and Flannel. */
    Map<String, Object> planValues(String inventory) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("inventory", inventory);
        values.put("kubernetesVersion", KubernetesTestBed.KUBERNETES_VERSION);
        values.put("aptRepository", repo.repoUrl("1.26"));
        values.put("registryMirror", registry.url());
        values.put("pauseImage", registry.hostPort() + "/pause:" + KubernetesTestBed.PAUSE_TAG);
        values.put("imageRepository", registry.hostPort());
        values.put("etcdImageTag", KubernetesTestBed.ETCD_TAG);
        values.put("corednsImageTag", KubernetesTestBed.COREDNS_TAG);
        values.put("ignorePreflightErrors", RealClusterIT.IGNORED_PREFLIGHT);
        values.put("podNetworkCidr", RealClusterIT.POD_CIDR);
        values.put("cniVersion", KubernetesTestBed.FLANNEL_VERSION);
        values.put("cniManifestUrl", manifests.url("kube-flannel-v0.20.2.yml"));
        return values;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {manifests, registry, repo, nodes}) {
            c.close();
        }
    }
}
