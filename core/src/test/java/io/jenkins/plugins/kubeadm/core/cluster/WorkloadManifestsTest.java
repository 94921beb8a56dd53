package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.addons.ManifestException;
import io.jenkins.plugins.kubeadm.core.addons.ManifestObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadManifestsTest {

    private static final CustomResources.Plan NO_CUSTOM_RESOURCES = new CustomResources.Plan(new IdentityHashMap<>(), List.of());

    @Test
    void aDirectoryWithoutManifestsIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
        ManifestException e = assertThrows(ManifestException.class,
                () -> WorkloadManifests.load(new WorkloadOptions().manifestPath(dir.toString())));
        assertEquals("manifest directory " + dir + " has no .yaml, .yml or .json files", e.getMessage());
    }

    @Test
    void everyBrokenFileIsNamedAtOnce(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "kind: [\n");
        Files.writeString(dir.resolve("b.YML"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n");
        Files.writeString(dir.resolve("c.json"), "{\"kind\": ");
        ManifestException e = assertThrows(ManifestException.class,
                () -> WorkloadManifests.load(new WorkloadOptions().manifestPath(dir.toString())));
        String[] problems = e.getMessage().split(" \\| ");
        assertEquals(2, problems.length, e.getMessage());
        assertTrue(problems[0].contains("a.yaml") && problems[1].contains("c.json"), e.getMessage());
    }

    @Test
    void withoutAStepNamespaceNamespacedObjectsGoToDefaultAndClusterScopedOnesStayWithout() {
        List<ManifestObject> objects = WorkloadManifests.load(new WorkloadOptions().manifestText(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
                        + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: prod}\n---\n"
                        + "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n"));
        WorkloadManifests.assignNamespaces(objects, null, NO_CUSTOM_RESOURCES);
        assertEquals("default", objects.get(0).object().getMetadata().getNamespace());
        assertEquals("prod", objects.get(1).object().getMetadata().getNamespace());
        assertNull(objects.get(2).object().getMetadata().getNamespace());
    }

    @Test
    void everyObjectInAnotherNamespaceIsNamed() {
        List<ManifestObject> objects = WorkloadManifests.load(new WorkloadOptions().manifestText(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: prod}\n---\n"
                        + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\n"
                        + "apiVersion: v1\nkind: Secret\nmetadata: {name: c, namespace: dev}\n"));
        ManifestException e = assertThrows(ManifestException.class,
                () -> WorkloadManifests.assignNamespaces(objects, "shop", NO_CUSTOM_RESOURCES));
        assertEquals("invalid manifests: document 1 (ConfigMap a): metadata.namespace is prod but the step's namespace is shop; "
                + "document 3 (Secret c): metadata.namespace is dev but the step's namespace is shop; nothing was applied",
                e.getMessage());
    }
}
