package io.jenkins.plugins.kubeadm.core.addons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddonCatalogTest {

    private final AddonCatalog catalog = AddonCatalog.load();

    @Test
    void shippedCatalogPinsEachAddonAtItsOfficialUrl() {
        assertEquals(List.of("flannel", "weave", "calico", "nvidia-device-plugin"), catalog.names());
        Addon flannel = catalog.addon("flannel");
        assertEquals("https://github.com/flannel-io/flannel/releases/download/" + flannel.version() + "/kube-flannel.yml",
                flannel.manifestUrl().toString());
        assertEquals("https://github.com/weaveworks/weave/releases/download/v2.8.1/weave-daemonset-k8s.yaml",
                catalog.addon("weave").manifestUrl().toString());
        Addon calico = catalog.addon("calico");
        assertEquals("https://raw.githubusercontent.com/projectcalico/calico/" + calico.version() + "/manifests/calico.yaml",
                calico.manifestUrl().toString());
        Addon nvidia = catalog.addon("nvidia-device-plugin");
        assertEquals("https://raw.githubusercontent.com/NVIDIA/k8s-device-plugin/" + nvidia.version()
                + "/deployments/static/nvidia-device-plugin.yml", nvidia.manifestUrl().toString());
        assertNull(flannel.sha256());
    }

    @Test
    void imagesArePinnedToTheReleaseTheCatalogNames() {
        for (String name : List.of("flannel", "calico", "nvidia-device-plugin")) {
            Addon addon = catalog.addon(name);
            assertTrue(addon.images().stream().anyMatch(i -> i.tag().equals(addon.version())), name);
        }
        assertTrue(catalog.addon("weave").images().stream().allMatch(i -> i.tag().equals("2.8.1")));
        assertTrue(catalog.addon("calico").images().stream().allMatch(i -> i.repository().startsWith("docker.io/calico/")));
    }

    @Test
    void objectsTheTransformationsEditAreExpectedObjects() {
        assertTrue(catalog.addon("flannel").expectedObjects().containsAll(
                List.of(AddonTransforms.FLANNEL_CONFIG, AddonTransforms.FLANNEL_DAEMONSET)));
        assertEquals(AddonTransforms.FLANNEL_DAEMONSET, catalog.addon("flannel").workload());
        assertEquals(AddonTransforms.WEAVE_DAEMONSET, catalog.addon("weave").workload());
        assertEquals(AddonTransforms.CALICO_DAEMONSET, catalog.addon("calico").workload());
    }

    @Test
    void malformedEntriesAreRejectedNamingTheAddonAndField() {
        String json = """
                {"schemaVersion": 1, "addons": [{"name": "x", "displayName": "X", "version": "v1",
                  "manifestUrl": "http://example.org/v1/x.yaml", "images": [{"repository": "a/b", "tag": "v1"}],
                  "workload": {"kind": "DaemonSet", "namespace": "kube-system", "name": "x"}}]}
                """;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AddonCatalog.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))));
        assertEquals("add-on catalog entry 'x': manifestUrl must be an https URL of release v1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> catalog.addon("cilium"));
    }
}
