package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigTest {

    /** A kubeconfig-shaped secret: a bearer token and base64 key data that must never be shown. */
    private static final String SECRET_TOKEN = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu";
    private static final String BROKEN = "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: "
            + SECRET_TOKEN + "\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==\n  : [broken\n";

    @Test
    void contentIsNeverShown() {
        Kubeconfig kubeconfig = Kubeconfig.fromContent(BROKEN);
        assertFalse(kubeconfig.toString().contains(SECRET_TOKEN), kubeconfig.toString());
        assertTrue(kubeconfig.toString().startsWith("kubeconfig content ("), kubeconfig.toString());
        ClusterStepException e = assertThrows(ClusterStepException.class, kubeconfig::connect);
        assertFalse(e.getMessage().contains(SECRET_TOKEN) || e.getMessage().contains("LS0tLS1CRUdJTi"), e.getMessage());
        assertTrue(e.getMessage().startsWith("kubeconfig content is not a valid kubeconfig (not YAML)"), e.getMessage());
    }

    @Test
    void aKubeconfigWithoutServerIsRefused() {
        String noServer = "apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- name: a\n  user: {token: " + SECRET_TOKEN
                + "}\ncontexts: []\n";
        ClusterStepException e = assertThrows(ClusterStepException.class, () -> Kubeconfig.fromContent(noServer).connect());
        assertFalse(e.getMessage().contains(SECRET_TOKEN), e.getMessage());
        assertTrue(e.getMessage().startsWith("kubeconfig content names no API server"), e.getMessage());
    }

    @Test
    void fileAndContentReachTheSameServer(@TempDir Path dir) throws Exception {
        try (ApiServerStandIn api = new ApiServerStandIn()) {
            api.admin().configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                    .withNewMetadata().withName("probe").endMetadata().build()).create();
            Path file = dir.resolve("admin.conf");
            Files.writeString(file, api.kubeconfig());
            assertEquals("kubeconfig file " + file, Kubeconfig.fromFile(file).toString());
            for (Kubeconfig k : new Kubeconfig[] {Kubeconfig.fromFile(file), Kubeconfig.fromContent(api.kubeconfig())}) {
                try (KubernetesClient client = k.connect()) {
                    assertEquals("probe", client.configMaps().inNamespace("default").withName("probe").get().getMetadata().getName());
                }
            }
        }
    }
}
