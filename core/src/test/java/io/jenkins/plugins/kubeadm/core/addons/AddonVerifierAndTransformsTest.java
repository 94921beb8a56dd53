package io.jenkins.plugins.kubeadm.core.addons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddonVerifierAndTransformsTest {

    private static final AddonCatalog CATALOG = AddonCatalog.load();

    private static String fixture(String name) throws IOException {
        try (InputStream in = AddonVerifierAndTransformsTest.class.getResourceAsStream("/cluster/manifests/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<ManifestObject> verified(String addon, String fixture) throws IOException {
        List<ManifestObject> objects = Manifests.parse(fixture(fixture), fixture);
        AddonVerifier.verify(CATALOG.addon(addon), objects, fixture);
        return objects;
    }

    private static Container container(List<ManifestObject> objects, ObjectKey key, String name) {
        return PodSpecs.containers(AddonTransforms.find(objects, key)).stream()
                .filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void fixturesPassVerificationAsTheReleasesWould() throws IOException {
        verified("flannel", "flannel.yml");
        verified("weave", "weave.yaml");
        verified("calico", "calico.yaml");
        verified("nvidia-device-plugin", "nvidia-device-plugin.yml");
    }

    @Test
    void anotherReleasesTagIsRefused() throws IOException {
        String text = fixture("flannel.yml").replace("flannel:v0.27.4", "flannel:v0.26.7");
        ManifestException e = assertThrows(ManifestException.class, () -> AddonVerifier.verify(CATALOG.addon("flannel"),
                Manifests.parse(text, "mirror"), "mirror"));
        assertTrue(e.getMessage().startsWith("mirror is not the Flannel v0.27.4 manifest the catalog pins: "), e.getMessage());
        assertTrue(e.getMessage().contains("document 6 (DaemonSet kube-flannel-ds) container kube-flannel uses "
                + "ghcr.io/flannel-io/flannel:v0.26.7 but Flannel v0.27.4 pins tag v0.27.4"), e.getMessage());
    }

    @Test
    void unknownImagesAndMissingObjectsAreRefused() throws IOException {
        String text = fixture("calico.yaml").replace("docker.io/calico/node:v3.29.3", "quay.io/calico/node:v3.29.3")
                .replace("name: calico-config", "name: calico-settings");
        ManifestException e = assertThrows(ManifestException.class, () -> AddonVerifier.verify(CATALOG.addon("calico"),
                Manifests.parse(text, "c"), "c"));
        assertTrue(e.getMessage().contains("ConfigMap kube-system/calico-config is missing"), e.getMessage());
        assertTrue(e.getMessage().contains("uses image quay.io/calico/node, which is not one of Calico v3.29.3's images"), e.getMessage());
        assertTrue(e.getMessage().contains("image docker.io/calico/node:v3.29.3 is not used"), e.getMessage());
    }

    @Test
    void flannelNetworkAndInterfaceAreSetInTheParsedObjects() throws IOException {
        List<ManifestObject> objects = verified("flannel", "flannel.yml");
        AddonTransforms.flannelNetwork(objects, Validators.cidr("podCidr", "10.100.0.0/16"));
        AddonTransforms.flannelInterface(objects, "eth1");
        AddonTransforms.flannelInterface(objects, "enp0s8");
        ConfigMap config = (ConfigMap) AddonTransforms.find(objects, AddonTransforms.FLANNEL_CONFIG);
        String netConf = config.getData().get("net-conf.json");
        assertTrue(netConf.contains("\"Network\" : \"10.100.0.0/16\"") && netConf.contains("\"Type\" : \"vxlan\""), netConf);
        assertEquals(List.of("--ip-masq", "--kube-subnet-mgr", "--iface=enp0s8"),
                container(objects, AddonTransforms.FLANNEL_DAEMONSET, "kube-flannel").getArgs());
    }

    @Test
    void weaveAndCalicoGetThePodCidrInTheirEnvironment() throws IOException {
        List<ManifestObject> weave = verified("weave", "weave.yaml");
        AddonTransforms.weaveIpallocRange(weave, Validators.cidr("podCidr", "10.32.0.0/12"));
        assertTrue(container(weave, AddonTransforms.WEAVE_DAEMONSET, "weave").getEnv()
                .contains(new EnvVar("IPALLOC_RANGE", "10.32.0.0/12", null)));
        List<ManifestObject> calico = verified("calico", "calico.yaml");
        AddonTransforms.calicoPoolCidr(calico, Validators.cidr("podCidr", "192.168.0.0/16"));
        AddonTransforms.calicoPoolCidr(calico, Validators.cidr("podCidr", "10.244.0.0/16"));
        List<EnvVar> env = container(calico, AddonTransforms.CALICO_DAEMONSET, "calico-node").getEnv();
        assertEquals(1, env.stream().filter(v -> v.getName().equals("CALICO_IPV4POOL_CIDR")).count());
        assertTrue(env.contains(new EnvVar("CALICO_IPV4POOL_CIDR", "10.244.0.0/16", null)));
    }

    @Test
    void registryRewriteReachesInitContainersToo() throws IOException {
        List<ManifestObject> weave = verified("weave", "weave.yaml");
        AddonTransforms.rewriteImageRegistry(weave, "registry.local:5000");
        assertEquals(List.of("registry.local:5000/weaveworks/weave-kube:2.8.1", "registry.local:5000/weaveworks/weave-kube:2.8.1",
                        "registry.local:5000/weaveworks/weave-npc:2.8.1"),
                PodSpecs.containers(AddonTransforms.find(weave, AddonTransforms.WEAVE_DAEMONSET)).stream().map(Container::getImage).toList());
    }

    @Test
    void aMovedFieldFailsLoudly() throws IOException {
        List<ManifestObject> objects = Manifests.parse(fixture("weave.yaml").replace("- name: weave\n", "- name: weave-router\n"), "w");
        ManifestException e = assertThrows(ManifestException.class,
                () -> AddonTransforms.weaveIpallocRange(objects, Validators.cidr("podCidr", "10.32.0.0/12")));
        assertEquals("DaemonSet kube-system/weave-net has no container weave", e.getMessage());
    }
}
