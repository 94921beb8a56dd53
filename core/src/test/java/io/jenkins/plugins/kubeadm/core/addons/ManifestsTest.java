package io.jenkins.plugins.kubeadm.core.addons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestsTest {

    @Test
    void multiDocumentYamlWithAListIsReadIntoTypedObjects() {
        String yaml = """
                ---
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: ServiceAccount
                  metadata: {name: a, namespace: kube-system}
                - apiVersion: apps/v1
                  kind: DaemonSet
                  metadata: {name: ds, namespace: kube-system}
                  spec:
                    selector: {matchLabels: {k: v}}
                    template:
                      metadata: {labels: {k: v}}
                      spec: {containers: [{name: c, image: example.org/c:1}]}
                ---
                # only a comment
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                """;
        List<ManifestObject> objects = Manifests.parse(yaml, "test");
        assertEquals(3, objects.size());
        assertEquals("document 1, item 2 (DaemonSet ds)", objects.get(1).label());
        assertInstanceOf(DaemonSet.class, objects.get(1).object());
        assertEquals(Boolean.TRUE, objects.get(0).namespaced());
        assertInstanceOf(GenericKubernetesResource.class, objects.get(2).object());
        assertEquals(3, objects.get(2).document());
        assertNull(objects.get(2).namespaced());
    }

    @Test
    void everyProblemIsNamedByDocumentKindAndName() {
        String yaml = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: Bad_Name}
                ---
                kind: Service
                metadata: {name: web}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{image: nginx}]}
                """;
        ManifestException e = assertThrows(ManifestException.class, () -> Manifests.parse(yaml, "app.yaml"));
        assertEquals("invalid manifest app.yaml: document 1 (ConfigMap Bad_Name): metadata.name must be a DNS-1123 subdomain "
                + "(lower-case letters, digits, '-', '.'); document 2 (Service web): apiVersion is missing; "
                + "document 3 (Deployment web): containers[0].name is missing; nothing was applied", e.getMessage());
    }

    @Test
    void yamlSyntaxErrorsNameTheDocumentAndLine() {
        String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: [unclosed\n";
        ManifestException e = assertThrows(ManifestException.class, () -> Manifests.parse(yaml, "x"));
        assertTrue(e.getMessage().startsWith("invalid manifest x: document 2: not valid YAML at line 6"), e.getMessage());
    }

    @Test
    void aSecretsValuesAreNeverQuoted() {
        String yaml = """
                apiVersion: v1
                kind: Secret
                metadata: {name: db}
                type: Opaque
                immutable: hunter2-password
                """;
        ManifestException e = assertThrows(ManifestException.class, () -> Manifests.parse(yaml, "s.yaml"));
        assertTrue(e.getMessage().contains("document 1 (Secret db): immutable has the wrong type (expected true or false)"),
                e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void emptyManifestIsAnError() {
        assertThrows(ManifestException.class, () -> Manifests.parse("---\n# nothing\n", "empty.yaml"));
    }
}
