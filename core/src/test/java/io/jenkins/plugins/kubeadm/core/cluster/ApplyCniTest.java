package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.jenkins.plugins.kubeadm.core.addons.ManifestException;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApplyCniTest {

    /** The controllers' part of a CNI coming up on two nodes, one state at a time. */
    private static void playNetworkComingUp(FakeCluster cluster, String namespace, String ds) {
        cluster.control(() -> {
            FakeCluster.eventually(() -> cluster.admin.apps().daemonSets().inNamespace(namespace).withName(ds).get());
            cluster.awaitLine(ds + ": 0/2 pods available");
            cluster.daemonSetAvailable(namespace, ds, 2, 1);
            cluster.awaitLine(ds + ": 1/2 pods available; nodes Ready: 0/2; CoreDNS: 0/2");
            cluster.daemonSetAvailable(namespace, ds, 2, 2);
            cluster.nodeReady("cp1");
            cluster.awaitLine(ds + ": 2/2 pods available; nodes Ready: 1/2; CoreDNS: 0/2");
            cluster.nodeReady("w1");
            cluster.coreDnsAvailable(1);
            cluster.awaitLine("nodes Ready: 2/2; CoreDNS: 1/2");
            cluster.coreDnsAvailable(2);
        });
    }

    private static FakeCluster kubeadmCluster(String podSubnet) {
        FakeCluster cluster = new FakeCluster();
        cluster.kubeadmConfig(podSubnet);
        cluster.node("cp1", null);
        cluster.node("w1", null);
        cluster.coreDns(2);
        return cluster;
    }

    @Test
    void flannelGetsTheClustersPodCidrAndWaitsForNetwork() throws Exception {
        try (FakeCluster cluster = kubeadmCluster("10.100.0.0/16"); ManifestServer manifests = new ManifestServer();
             ClusterSteps steps = cluster.steps()) {
            playNetworkComingUp(cluster, "kube-flannel", "kube-flannel-ds");
            CniResult result = steps.applyCni(new CniOptions().manifestUrl(manifests.url("redirect/flannel.yml"))
                    .iface("enp0s8").imageRegistry("registry.local:5000").timeout(Duration.ofSeconds(10)));

            assertEquals("10.100.0.0/16", result.podCidr().toString());
            assertEquals(List.of("/redirect/flannel.yml", "/flannel.yml"), manifests.served());
            ConfigMap config = cluster.admin.configMaps().inNamespace("kube-flannel").withName("kube-flannel-cfg").get();
            assertTrue(config.getData().get("net-conf.json").contains("\"Network\" : \"10.100.0.0/16\""),
                    config.getData().get("net-conf.json"));
            DaemonSet ds = cluster.admin.apps().daemonSets().inNamespace("kube-flannel").withName("kube-flannel-ds").get();
            Container flanneld = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertEquals(List.of("--ip-masq", "--kube-subnet-mgr", "--iface=enp0s8"), flanneld.getArgs());
            assertEquals("registry.local:5000/flannel-io/flannel:v0.27.4", flanneld.getImage());
            assertEquals("registry.local:5000/flannel-io/flannel-cni-plugin:v1.8.0-flannel1",
                    ds.getSpec().getTemplate().getSpec().getInitContainers().get(0).getImage());
            assertTrue(cluster.api.requests().contains("PATCH /apis/apps/v1/namespaces/kube-flannel/daemonsets/kube-flannel-ds"
                    + "?fieldManager=kubeadm-pipeline&force=true"), "server-side apply under our field manager");
            assertTrue(cluster.lines.contains("kube-flannel-ds: 1/2 pods available; nodes Ready: 0/2; CoreDNS: 0/2"), cluster.lines.toString());
            assertTrue(cluster.lines.contains("kube-flannel-ds: 2/2 pods available; nodes Ready: 2/2; CoreDNS: 2/2"), cluster.lines.toString());
            assertEquals(6, result.applied().count(ApplySummary.Outcome.CREATED));
        }
    }

    @Test
    void versionChoosesAnOlderPinnedFlannelRelease() throws Exception {
        try (FakeCluster cluster = kubeadmCluster("10.32.0.0/16");
             ManifestServer manifests = new ManifestServer(InetAddress.getLoopbackAddress().getHostAddress(), "/realcluster");
             ClusterSteps steps = cluster.steps()) {
            playNetworkComingUp(cluster, "kube-flannel", "kube-flannel-ds");
            CniResult result = steps.applyCni(new CniOptions().version("0.20.2")
                    .manifestUrl(manifests.url("kube-flannel-v0.20.2.yml")).timeout(Duration.ofSeconds(10)));

            assertEquals("v0.20.2", result.version());
            assertTrue(cluster.lines.contains("Flannel v0.20.2: pod CIDR 10.32.0.0/16"), cluster.lines.toString());
            DaemonSet ds = cluster.admin.apps().daemonSets().inNamespace("kube-flannel").withName("kube-flannel-ds").get();
            assertEquals("docker.io/rancher/mirrored-flannelcni-flannel:v0.20.2", container(ds, "kube-flannel").getImage());
            ConfigMap config = cluster.admin.configMaps().inNamespace("kube-flannel").withName("kube-flannel-cfg").get();
            assertTrue(config.getData().get("net-conf.json").contains("10.32.0.0/16"), config.getData().get("net-conf.json"));
        }
    }

    @Test
    void theChosenReleasesPinsAreEnforcedOnTheManifest() throws Exception {
        try (FakeCluster cluster = kubeadmCluster("10.244.0.0/16"); ManifestServer manifests = new ManifestServer();
             ClusterSteps steps = cluster.steps()) {
            // flannel.yml is the v0.27.4 manifest: asked for as v0.20.2, its images are the wrong ones.
            ManifestException e = assertThrows(ManifestException.class, () -> steps.applyCni(new CniOptions()
                    .version("v0.20.2").manifestUrl(manifests.url("flannel.yml")).timeout(Duration.ofSeconds(5))));
            assertTrue(e.getMessage().contains("is not the Flannel v0.20.2 manifest the catalog pins")
                    && e.getMessage().contains("ghcr.io/flannel-io/flannel"), e.getMessage());
            assertNull(cluster.admin.namespaces().withName("kube-flannel").get());
        }
    }

    @Test
    void aVersionTheCatalogDoesNotPinIsRefusedListingThePinnedOnesBeforeAnyDownload() throws Exception {
        try (FakeCluster cluster = kubeadmCluster("10.244.0.0/16"); ManifestServer manifests = new ManifestServer();
             ClusterSteps steps = cluster.steps()) {
            ParameterException e = assertThrows(ParameterException.class, () -> steps.applyCni(new CniOptions()
                    .version("v0.19.0").manifestUrl(manifests.url("flannel.yml")).timeout(Duration.ofSeconds(5))));
            assertEquals("version", e.parameter());
            assertEquals("version: Flannel v0.19.0 is not in the add-on catalog "
                    + "(accepted: a pinned Flannel release: v0.27.4 (default), v0.20.2)", e.getMessage());
            ParameterException weave = assertThrows(ParameterException.class,
                    () -> steps.applyCni(new CniOptions().cni("weave").version("v0.20.2")));
            assertTrue(weave.getMessage().contains("a pinned Weave Net release: v2.8.1 (default)"), weave.getMessage());
            assertTrue(manifests.served().isEmpty(), "nothing is downloaded for a version the catalog does not pin");
            assertNull(cluster.admin.namespaces().withName("kube-flannel").get());
        }
    }

    @Test
    void weaveGetsIpallocRangeAndAWarning() throws Exception {
        try (FakeCluster cluster = kubeadmCluster("10.32.0.0/12"); ManifestServer manifests = new ManifestServer();
             ClusterSteps steps = cluster.steps()) {
            playNetworkComingUp(cluster, "kube-system", "weave-net");
            steps.applyCni(new CniOptions().cni("weave").manifestUrl(manifests.url("weave.yaml")).timeout(Duration.ofSeconds(10)));

            DaemonSet ds = cluster.admin.apps().daemonSets().inNamespace("kube-system").withName("weave-net").get();
            assertEquals("10.32.0.0/12", env(ds, "weave", "IPALLOC_RANGE"));
            assertEquals("weaveworks/weave-kube:2.8.1", container(ds, "weave").getImage());
            assertTrue(cluster.lines.stream().anyMatch(l -> l.startsWith("WARNING: Weave Net 2.8.1") && l.contains("calico")));
            assertTrue(cluster.admin.rbac().roles().inNamespace("kube-system").withName("weave-net").get() != null);
        }
    }

    @Test
    void calicoGetsPoolCidrFromNodeRangesWhenKubeadmConfigHasNone() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ManifestServer manifests = new ManifestServer();
             ClusterSteps steps = cluster.steps()) {
            cluster.kubeadmConfig(null);
            cluster.node("cp1", "192.168.0.0/24");
            cluster.node("w1", "192.168.1.0/24");
            cluster.coreDns(2);
            playNetworkComingUp(cluster, "kube-system", "calico-node");
            steps.applyCni(new CniOptions().cni("calico").podCidr("192.168.0.0/16")
                    .manifestUrl(manifests.url("calico.yaml")).timeout(Duration.ofSeconds(10)));

            DaemonSet ds = cluster.admin.apps().daemonSets().inNamespace("kube-system").withName("calico-node").get();
            assertEquals("192.168.0.0/16", env(ds, "calico-node", "CALICO_IPV4POOL_CIDR"));
            assertEquals("Always", env(ds, "calico-node", "CALICO_IPV4POOL_IPIP"));
            assertTrue(cluster.admin.apiextensions().v1().customResourceDefinitions()
                    .withName("ippools.crd.projectcalico.org").get() != null);
        }
    }

    @Test
    void requestedCidrThatDiffersFromTheClustersIsRefusedNamingBoth() throws Exception {
        try (FakeCluster cluster = kubeadmCluster("10.244.0.0/16"); ManifestServer manifests = new ManifestServer();
             ClusterSteps steps = cluster.steps()) {
            ClusterStepException e = assertThrows(ClusterStepException.class, () -> steps.applyCni(new CniOptions()
                    .podCidr("10.32.0.0/12").manifestUrl(manifests.url("flannel.yml")).timeout(Duration.ofSeconds(5))));
            assertTrue(e.getMessage().contains("10.32.0.0/12") && e.getMessage().contains("10.244.0.0/16"), e.getMessage());
            assertNull(cluster.admin.namespaces().withName("kube-flannel").get());
            assertTrue(manifests.served().isEmpty(), "nothing is downloaded before the CIDR is settled");
        }
    }

    @Test
    void nodeRangeOutsideTheRequestedCidrIsRefused() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            cluster.node("cp1", "10.244.0.0/24");
            ClusterStepException e = assertThrows(ClusterStepException.class,
                    () -> steps.applyCni(new CniOptions().cni("calico").podCidr("192.168.0.0/16")));
            assertTrue(e.getMessage().contains("cp1") && e.getMessage().contains("10.244.0.0/24")
                    && e.getMessage().contains("192.168.0.0/16"), e.getMessage());
        }
    }

    @Test
    void secondCniIsRefused() throws Exception {
        try (FakeCluster cluster = kubeadmCluster("10.244.0.0/16"); ManifestServer manifests = new ManifestServer();
             ClusterSteps steps = cluster.steps()) {
            cluster.admin.apps().daemonSets().inNamespace("kube-system").resource(new DaemonSetBuilder()
                    .withNewMetadata().withName("weave-net").withNamespace("kube-system").endMetadata()
                    .withNewSpec().withNewSelector().addToMatchLabels("name", "weave-net").endSelector().withNewTemplate()
                    .withNewMetadata().addToLabels("name", "weave-net").endMetadata().withNewSpec().addNewContainer()
                    .withName("weave").withImage("weaveworks/weave-kube:2.8.1").endContainer().endSpec().endTemplate()
                    .endSpec().build()).create();
            ClusterStepException e = assertThrows(ClusterStepException.class, () -> steps.applyCni(
                    new CniOptions().manifestUrl(manifests.url("flannel.yml"))));
            assertTrue(e.getMessage().contains("already runs Weave Net") && e.getMessage().contains("kubeadm reset"), e.getMessage());
            assertNull(cluster.admin.namespaces().withName("kube-flannel").get());
        }
    }

    @Test
    void timeoutNamesEachNodeAndPodNotReadyWithTheReason() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ManifestServer manifests = new ManifestServer();
             ClusterSteps steps = cluster.steps()) {
            cluster.kubeadmConfig("10.244.0.0/16");
            cluster.node("cp1", "10.244.0.0/24");
            cluster.node("w1", "10.244.1.0/24");
            cluster.node("w2", "10.244.2.0/24", new TaintBuilder().withKey("dedicated").withValue("db").withEffect("NoExecute").build());
            cluster.coreDns(2);
            cluster.control(() -> {
                FakeCluster.eventually(() -> cluster.admin.apps().daemonSets().inNamespace("kube-flannel").withName("kube-flannel-ds").get());
                Map<String, String> labels = Map.of("app", "flannel", "tier", "node");
                Pod pulling = cluster.pod("kube-flannel", "kube-flannel-ds-aaaaa", "cp1", labels);
                pulling.setStatus(new PodStatusBuilder().withPhase("Pending").addToContainerStatuses(new ContainerStatusBuilder()
                        .withName("kube-flannel").withReady(false).withRestartCount(0).withNewState().withNewWaiting()
                        .withReason("ImagePullBackOff").withMessage("Back-off pulling image \"ghcr.io/flannel-io/flannel:v0.27.4\"")
                        .endWaiting().endState().build()).build());
                cluster.admin.pods().inNamespace("kube-flannel").resource(pulling).updateStatus();
                Pod crashing = cluster.pod("kube-flannel", "kube-flannel-ds-bbbbb", "w1", labels);
                crashing.setStatus(new PodStatusBuilder().withPhase("Running").addToContainerStatuses(new ContainerStatusBuilder()
                        .withName("kube-flannel").withReady(false).withRestartCount(4).withNewState().withNewWaiting()
                        .withReason("CrashLoopBackOff").withMessage("back-off 1m20s restarting failed container")
                        .endWaiting().endState().withNewLastState().withNewTerminated().withReason("Error").withExitCode(1)
                        .endTerminated().endLastState().build()).build());
                cluster.admin.pods().inNamespace("kube-flannel").resource(crashing).updateStatus();
                cluster.daemonSetAvailable("kube-flannel", "kube-flannel-ds", 2, 0);
            });
            WaitTimeoutException e = assertThrows(WaitTimeoutException.class, () -> steps.applyCni(new CniOptions()
                    .manifestUrl(manifests.url("flannel.yml")).timeout(Duration.ofSeconds(2))));
            String m = e.getMessage();
            assertTrue(m.startsWith("Flannel v0.27.4 not ready after 2s"), m);
            assertTrue(m.contains("node w2 is NotReady: KubeletNotReady: container runtime network not ready"), m);
            assertTrue(m.contains("pod kube-flannel/kube-flannel-ds-aaaaa on node cp1: container kube-flannel waiting: ImagePullBackOff"), m);
            assertTrue(m.contains("kube-flannel-ds-bbbbb on node w1: container kube-flannel waiting: CrashLoopBackOff")
                    && m.contains("restarts: 4, last exit: Error code 1"), m);
            assertTrue(m.contains("node w2 has taint dedicated=db:NoExecute that kube-flannel-ds does not tolerate"), m);
            assertTrue(m.contains("CoreDNS has no pods yet"), m);
            assertTrue(cluster.lines.stream().anyMatch(l -> l.startsWith("kube-flannel-ds: 0/3 pods available; nodes Ready: 0/3; CoreDNS: 0/2")),
                    cluster.lines.toString());
        }
    }

    @Test
    void optionsAreCheckedBeforeAnythingHappens() {
        assertEquals("cni", assertThrows(ParameterException.class, () -> new CniOptions().cni("cilium")).parameter());
        assertEquals("podCidr", assertThrows(ParameterException.class, () -> new CniOptions().podCidr("10.244.0.1/16")).parameter());
        assertEquals("iface", assertThrows(ParameterException.class, () -> new CniOptions().iface("eth0; reboot")).parameter());
        assertEquals("imageRegistry", assertThrows(ParameterException.class, () -> new CniOptions().imageRegistry("https://x")).parameter());
        assertEquals("sha256", assertThrows(ParameterException.class, () -> new CniOptions().sha256("abc")).parameter());
        assertEquals("version", assertThrows(ParameterException.class, () -> new CniOptions().version("latest")).parameter());
    }

    private static Container container(DaemonSet ds, String name) {
        return ds.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> name.equals(c.getName()))
                .findFirst().orElseThrow();
    }

    private static String env(DaemonSet ds, String containerName, String var) {
        return container(ds, containerName).getEnv().stream().filter(e -> var.equals(e.getName())).map(EnvVar::getValue)
                .findFirst().orElse(null);
    }
}
