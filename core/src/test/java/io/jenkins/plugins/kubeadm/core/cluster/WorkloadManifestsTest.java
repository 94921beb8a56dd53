package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.addons.ManifestException;
import io.jenkins.plugins.kubeadm.core.addons.ManifestObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadManifestsTest {

    @TempDir
    Path dir;

    private static String configMap(String name, String namespace) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + (namespace == null ? "" : "\n  namespace: " + namespace)
                + "\ndata:\n  k: v\n";
    }

    @Test
    void aFolderIsReadInNameOrderAndOnlyItsManifestFiles() throws Exception {
        Files.writeString(dir.resolve("b.yaml"), configMap("second", null));
        Files.writeString(dir.resolve("a.yml"), configMap("first", null));
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");
        List<ManifestObject> objects = WorkloadManifests.load(new WorkloadOptions().manifestPath(dir.toString()));
        assertEquals(List.of("first", "second"), objects.stream().map(o -> o.object().getMetadata().getName()).toList());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertTrue(assertThrows(ManifestException.class, () -> WorkloadManifests.load(new WorkloadOptions().manifestPath(empty.toString())))
                .getMessage().contains("has no .yaml, .yml or .json files"));
    }

    @Test
    void objectsWithoutANamespaceGetTheStepsAndOneNamingAnotherIsRefusedBeforeAnythingIsApplied() {
        List<ManifestObject> objects = WorkloadManifests.load(new WorkloadOptions().manifestText(configMap("web", null)));
        CustomResources.Plan plan = new CustomResources.Plan(Map.of(), List.of());
        WorkloadManifests.assignNamespaces(objects, "team-a", plan);
        assertEquals("team-a", objects.get(0).object().getMetadata().getNamespace());

        List<ManifestObject> elsewhere = WorkloadManifests.load(new WorkloadOptions().manifestText(configMap("web", "team-b")));
        ManifestException e = assertThrows(ManifestException.class, () -> WorkloadManifests.assignNamespaces(elsewhere, "team-a", plan));
        assertTrue(e.getMessage().contains("metadata.namespace is team-b but the step's namespace is team-a; nothing was applied"), e.getMessage());
    }
}
