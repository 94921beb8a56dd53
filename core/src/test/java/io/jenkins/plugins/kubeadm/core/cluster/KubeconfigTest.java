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

public class KubeconfigTest {

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

    /** A kubeconfig whose user runs a command that leaves {@code marker} behind, with its user's other fields. */
    public static String withExec(Path marker) {
        return "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
                + "contexts:\n- name: c\n  context: {cluster: k, user: u}\n"
                + "clusters:\n- name: k\n  cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}\n"
                + "users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                + "      command: /bin/sh\n      args: ['-c', 'touch " + marker + "; echo {}']\n";
    }

    @Test
    void fabric8sOwnReaderRunsAnExecCommandWhileItReadsTheKubeconfig(@TempDir Path dir) {
        // Why Kubeconfig reads kubeconfigs itself: this is what a kubeconfig from a credential or a node would do.
        Path marker = dir.resolve("marker");
        try {
            io.fabric8.kubernetes.client.Config.fromKubeconfig(null, withExec(marker), null);
        } catch (RuntimeException e) {
            // the command's output is no credential; it ran all the same
        }
        assertTrue(Files.exists(marker), "fabric8 ran the exec command");
    }

    @Test
    void anExecEntryIsRefusedByNameAndItsCommandNeverRuns(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("marker");
        Path file = dir.resolve("kubeconfig");
        Files.writeString(file, withExec(marker));
        for (Kubeconfig k : new Kubeconfig[] {Kubeconfig.fromContent(withExec(marker)), Kubeconfig.fromFile(file)}) {
            ClusterStepException e = assertThrows(ClusterStepException.class, k::connect);
            assertTrue(e.getMessage().endsWith(": users[u].user.exec is not accepted (it would run or load code where the kubeconfig"
                    + " is read) (accepted: a server URL with certificate-authority-data, and client-certificate-data with"
                    + " client-key-data, or a token)"), e.getMessage());
        }
        assertFalse(Files.exists(marker), "the exec command ran");
    }

    @Test
    void filePathsAuthProvidersAndProxiesAreRefusedByNameWithoutTheirValues() {
        String head = "apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n";
        String cluster = "clusters:\n- name: k\n  cluster:\n    server: https://10.0.0.1:6443\n";
        String user = "users:\n- name: u\n  user:\n    token: " + SECRET_TOKEN + "\n";
        java.util.Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("users[u].user.auth-provider", head + cluster + user + "    auth-provider: {name: gcp, config: {cmd-path: /bin/sh}}\n");
        cases.put("users[u].user.client-key", head + cluster + user + "    client-key: /root/.ssh/id_ed25519\n");
        cases.put("users[u].user.client-certificate", head + cluster + user + "    client-certificate: /etc/shadow\n");
        cases.put("users[u].user.tokenFile", head + cluster + user + "    tokenFile: /var/lib/jenkins/secrets/master.key\n");
        cases.put("clusters[k].cluster.certificate-authority", head + cluster + "    certificate-authority: /etc/ssl/ca.pem\n" + user);
        cases.put("clusters[k].cluster.proxy-url", head + cluster + "    proxy-url: http://10.0.0.9:3128\n" + user);
        cases.put("contexts[c].context.as", head.replace("{cluster: k, user: u}", "{cluster: k, user: u, as: admin}") + cluster + user);
        cases.forEach((field, text) -> {
            ClusterStepException e = assertThrows(ClusterStepException.class, () -> Kubeconfig.fromContent(text).connect(), field);
            assertTrue(e.getMessage().startsWith("kubeconfig content: " + field + " is not accepted"), e.getMessage());
            assertFalse(e.getMessage().contains(SECRET_TOKEN) || e.getMessage().contains("/root/.ssh") || e.getMessage().contains("10.0.0.9"),
                    e.getMessage());
        });
    }

    @Test
    void theClientIsMadeOfTheKubeconfigAloneNotOfThisMachinesKubeconfigOrEnvironment(@TempDir Path dir) throws Exception {
        try (ApiServerStandIn api = new ApiServerStandIn()) {
            // A kubeconfig of this machine's user must play no part (fabric8's automatic configuration reads it).
            String before = System.getProperty("kubeconfig");
            Path own = dir.resolve("own-kubeconfig");
            Files.writeString(own, withExec(dir.resolve("own-marker")));
            System.setProperty("kubeconfig", own.toString());
            try (KubernetesClient client = Kubeconfig.fromContent(api.kubeconfig()).connect()) {
                String server = api.kubeconfig().split("server: ")[1].split("\n")[0];
                assertTrue(client.getConfiguration().getMasterUrl().startsWith(server), client.getConfiguration().getMasterUrl());
                assertEquals("probe", client.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata().withName("probe").endMetadata().build()).create().getMetadata().getName());
                assertEquals("default", client.getConfiguration().getNamespace());
                assertTrue(client.getConfiguration().isTrustCerts());
                assertEquals(null, client.getConfiguration().getClientKeyData());
                assertEquals(null, client.getConfiguration().getCurrentContext());
            } finally {
                if (before == null) {
                    System.clearProperty("kubeconfig");
                } else {
                    System.setProperty("kubeconfig", before);
                }
            }
            assertFalse(Files.exists(dir.resolve("own-marker")), "this machine's kubeconfig was read");
        }
    }
}
