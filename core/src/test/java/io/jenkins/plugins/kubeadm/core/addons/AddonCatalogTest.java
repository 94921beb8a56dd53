package io.jenkins.plugins.kubeadm.core.addons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.testnodes.KubernetesTestBed;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
    void flannelDefaultsToTheNewestReleaseAndPinsV0202ForOlderClusters() {
        assertEquals(List.of("v0.27.4", "v0.20.2"), catalog.versions("flannel"));
        assertEquals("v0.27.4", catalog.addon("flannel").version());
        assertEquals(catalog.addon("flannel"), catalog.addon("flannel", "v0.27.4"));

        Addon old = catalog.addon("flannel", "v0.20.2");
        assertEquals("Flannel v0.20.2", old.label());
        assertEquals("https://github.com/flannel-io/flannel/releases/download/v0.20.2/kube-flannel.yml",
                old.manifestUrl().toString());
        assertNull(old.sha256());
        // The images the real-cluster test bed has are the ones this release pins.
        assertEquals(List.of(KubernetesTestBed.FLANNEL_IMAGE, KubernetesTestBed.FLANNEL_CNI_PLUGIN_IMAGE),
                old.images().stream().map(i -> i.repository() + ":" + i.tag()).toList());
        assertEquals(KubernetesTestBed.FLANNEL_VERSION, old.version());
        assertEquals(AddonTransforms.FLANNEL_DAEMONSET, old.workload());
        assertTrue(old.expectedObjects().contains(AddonTransforms.FLANNEL_CONFIG));
        assertEquals(List.of("v2.8.1"), catalog.versions("weave"));
    }

    @Test
    void eachAddonsDefaultIsItsNewestPinnedRelease() {
        for (String name : catalog.names()) {
            String newest = catalog.versions(name).stream().max(AddonCatalogTest::compareVersions).orElseThrow();
            assertEquals(newest, catalog.addon(name).version(), name);
        }
    }

    @Test
    void aVersionTheCatalogDoesNotPinIsRefusedNamingTheAddonAndThePinnedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> catalog.addon("flannel", "v0.19.0"));
        assertEquals("add-on 'flannel' has no pinned release 'v0.19.0' in the catalog (pinned: v0.27.4 (default), v0.20.2)",
                e.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> catalog.addon("cilium", "v1.16.0"));
        assertTrue(unknown.getMessage().contains("no add-on 'cilium'"), unknown.getMessage());
    }

    @Test
    void malformedEntriesAreRejectedNamingTheAddonAndField() {
        assertEquals("add-on catalog entry 'x': manifestUrl must be an https URL of release v1.0.0",
                parseError(addon("v1.0.0", release("v1.0.0", "http://example.org/v1.0.0/x.yaml"))));
        assertEquals("add-on catalog entry 'x': defaultVersion v2.0.0 is not one of its releases (v1.0.0)",
                parseError(addon("v2.0.0", release("v1.0.0", "https://example.org/v1.0.0/x.yaml"))));
        assertEquals("add-on catalog entry 'x': release v1.0.0 is listed twice",
                parseError(addon("v1.0.0", release("v1.0.0", "https://example.org/v1.0.0/x.yaml"),
                        release("v1.0.0", "https://example.org/v1.0.0/y.yaml"))));
        assertEquals("add-on catalog entry 'x': version 1.0.0 must be v, then major.minor.patch, the form a step's "
                + "version parameter accepts", parseError(addon("1.0.0", release("1.0.0", "https://example.org/1.0.0/x.yaml"))));
        assertEquals("add-on catalog entry 'x': releases must list at least one release", parseError(addon("v1.0.0")));
        assertThrows(IllegalArgumentException.class, () -> catalog.addon("cilium"));
    }

    @Test
    void aCatalogOfTheOldOneReleaseShapeIsRefused() {
        String json = """
                {"schemaVersion": 1, "addons": [{"name": "x", "displayName": "X", "version": "v1.0.0",
                  "manifestUrl": "https://example.org/v1.0.0/x.yaml", "images": [{"repository": "a/b", "tag": "v1.0.0"}],
                  "workload": {"kind": "DaemonSet", "namespace": "kube-system", "name": "x"}}]}
                """;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AddonCatalog.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().contains("\"schemaVersion\": 2"), e.getMessage());
    }

    private static String release(String version, String url) {
        return """
                {"version": "%s", "manifestUrl": "%s", "images": [{"repository": "a/b", "tag": "%s"}],
                 "workload": {"kind": "DaemonSet", "namespace": "kube-system", "name": "x"}}
                """.formatted(version, url, version);
    }

    private static String addon(String defaultVersion, String... releases) {
        return """
                {"schemaVersion": 2, "addons": [{"name": "x", "displayName": "X", "defaultVersion": "%s",
                  "releases": [%s]}]}
                """.formatted(defaultVersion, String.join(", ", releases));
    }

    private static String parseError(String json) {
        return assertThrows(IllegalStateException.class,
                () -> AddonCatalog.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)))).getMessage();
    }

    /** Orders vMAJOR.MINOR.PATCH numerically (v0.9.0 before v0.20.2). */
    private static int compareVersions(String a, String b) {
        int[] x = Arrays.stream(a.substring(1).split("\\.")).mapToInt(Integer::parseInt).toArray();
        int[] y = Arrays.stream(b.substring(1).split("\\.")).mapToInt(Integer::parseInt).toArray();
        return Arrays.compare(x, y);
    }
}
