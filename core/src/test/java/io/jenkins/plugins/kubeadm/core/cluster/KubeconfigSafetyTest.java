package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A kubeconfig is read as data: nothing in it runs, names a file or a proxy on the machine that reads
 * it (the Jenkins controller), and nothing of that machine's own Kubernetes settings gets in.
 */
class KubeconfigSafetyTest {

    /** Values that must never appear in a message. */
    private static final String SECRET = "s3cret-" + "0123456789abcdef";

    /** A kubeconfig whose user's exec command would create {@code marker}. */
    static String withExec(String server, Path marker) {
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: c1\n  cluster:\n    server: " + server + "\n"
                + "    insecure-skip-tls-verify: true\n"
                + "users:\n- name: admin\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                + "      command: /bin/sh\n      args: [\"-c\", \"touch " + marker + "\"]\n"
                + "contexts:\n- name: c1\n  context:\n    cluster: c1\n    user: admin\n"
                + "current-context: c1\n";
    }

    /** A kubeconfig with a token user; {@code clusterExtra} and {@code userExtra} are added as YAML lines. */
    private static String kubeconfig(String server, String clusterExtra, String userExtra) {
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: c1\n  cluster:\n    server: " + server + "\n" + clusterExtra
                + "users:\n- name: admin\n  user:\n    token: " + SECRET + "\n" + userExtra
                + "contexts:\n- name: c1\n  context:\n    cluster: c1\n    user: admin\n"
                + "current-context: c1\n";
    }

    @Test
    void fabric8sOwnParserRunsTheExecCommandWhileReading(@TempDir Path dir) throws Exception {
        // Why Kubeconfig reads kubeconfigs itself: fabric8 (7.3.1 here, 6.14 in the Jenkins kit alike)
        // runs the command as soon as it parses the text, before any request.
        Path marker = dir.resolve("marker");
        try {
            Config.fromKubeconfig(null, withExec("https://127.0.0.1:1", marker), null);
        } catch (RuntimeException e) {
            // the command printed no credential; whether fabric8 complains does not matter here
        }
        assertTrue(Files.exists(marker), "fabric8 ran the exec command while parsing");
    }

    @Test
    void anExecUserIsRefusedNamingTheFieldAndItsCommandNeverRuns(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("marker");
        String text = withExec("https://127.0.0.1:1", marker);
        Path file = dir.resolve("admin.conf");
        Files.writeString(file, text);
        for (Kubeconfig kubeconfig : new Kubeconfig[] {Kubeconfig.fromContent(text), Kubeconfig.fromFile(file)}) {
            ClusterStepException e = assertThrows(ClusterStepException.class, kubeconfig::connect);
            assertTrue(e.getMessage().contains("users[admin].user.exec is not accepted: it would run a command on the machine"
                    + " that reads the kubeconfig (the Jenkins controller) (accepted in users: client-certificate-data with"
                    + " client-key-data, a token, or username with password)"), e.getMessage());
            assertFalse(e.getMessage().contains("touch") || e.getMessage().contains(marker.toString()), e.getMessage());
        }
        assertFalse(Files.exists(marker), "the exec command ran");
    }

    @Test
    void anExecUserIsRefusedEvenWhenTheCurrentContextDoesNotSelectIt(@TempDir Path dir) {
        Path marker = dir.resolve("marker");
        String text = kubeconfig("https://127.0.0.1:1", "", "")
                .replace("contexts:", "- name: other\n  user:\n    exec:\n      command: /bin/sh\n      args: [\"-c\", \"touch "
                        + marker + "\"]\ncontexts:");
        ClusterStepException e = assertThrows(ClusterStepException.class, () -> Kubeconfig.fromContent(text).connect());
        assertTrue(e.getMessage().startsWith("kubeconfig content: users[other].user.exec is not accepted"), e.getMessage());
        assertFalse(Files.exists(marker));
    }

    static Stream<Arguments> refusedFields() {
        return Stream.of(
                Arguments.of("    certificate-authority: /etc/kubernetes/pki/" + SECRET + ".crt\n", "",
                        "clusters[c1].cluster.certificate-authority is not accepted: it names a file"),
                Arguments.of("    proxy-url: http://user:" + SECRET + "@proxy:3128\n", "",
                        "clusters[c1].cluster.proxy-url is not accepted: the API server is reached directly"),
                Arguments.of("    tls-server-name: " + SECRET + "\n", "", "clusters[c1].cluster.tls-server-name is not accepted"),
                Arguments.of("", "    auth-provider:\n      name: oidc\n      config: {client-secret: " + SECRET + "}\n",
                        "users[admin].user.auth-provider is not accepted: it would run an authentication plugin"),
                Arguments.of("", "    client-certificate: /tmp/" + SECRET + ".crt\n    client-key: /tmp/" + SECRET + ".key\n",
                        "users[admin].user.client-certificate is not accepted: it names a file"),
                Arguments.of("", "    client-key: /tmp/" + SECRET + ".key\n", "users[admin].user.client-key is not accepted: it names a"
                        + " file on the machine that reads the kubeconfig (the Jenkins controller); give the content inline as"
                        + " client-key-data (accepted in users: client-certificate-data with client-key-data, a token, or username"
                        + " with password)"),
                Arguments.of("", "    tokenFile: /var/run/" + SECRET + "\n", "users[admin].user.tokenFile is not accepted: it names a file"),
                Arguments.of("", "    as: " + SECRET + "\n", "users[admin].user.as is not accepted: it is not supported"));
    }

    @ParameterizedTest
    @MethodSource("refusedFields")
    void fieldsThatRunNameAFileOrReachElsewhereAreRefusedWithoutShowingTheirValue(String clusterExtra, String userExtra, String expected) {
        String text = kubeconfig("https://127.0.0.1:1", clusterExtra, userExtra);
        ClusterStepException e = assertThrows(ClusterStepException.class, () -> Kubeconfig.fromContent(text).connect());
        assertTrue(e.getMessage().startsWith("kubeconfig content: " + expected), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"RSA", "EC"})
    void clientCertificateAndKeyDataStillReachTheServer(String algorithm, @TempDir Path dir) throws Exception {
        String[] pair = certificateAndKey(dir, algorithm);
        try (ApiServerStandIn api = new ApiServerStandIn()) {
            api.admin().configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("probe")
                    .endMetadata().build()).create();
            String text = api.kubeconfig().replace("    token: " + api.token() + "\n",
                    "    client-certificate-data: " + pair[0] + "\n    client-key-data: " + pair[1] + "\n");
            assertFalse(text.contains(api.token()));
            Kubeconfig kubeconfig = Kubeconfig.fromContent(text);
            Config config = kubeconfig.config();
            assertEquals(pair[0], config.getClientCertData());
            assertEquals(algorithm, config.getClientKeyAlgo());
            assertNull(config.getOauthToken());
            try (KubernetesClient client = kubeconfig.connect()) {
                assertEquals("probe", client.configMaps().inNamespace("default").withName("probe").get().getMetadata().getName());
            }
        }
    }

    @Test
    void aTokenStillReachesTheServerAndTheContextsNamespaceIsKept() throws Exception {
        try (ApiServerStandIn api = new ApiServerStandIn()) {
            api.admin().configMaps().inNamespace("team").resource(new ConfigMapBuilder().withNewMetadata().withName("probe")
                    .endMetadata().build()).create();
            Kubeconfig kubeconfig = Kubeconfig.fromContent(api.kubeconfig().replace("    user: admin\n",
                    "    user: admin\n    namespace: team\n"));
            assertEquals(api.token(), kubeconfig.config().getOauthToken());
            try (KubernetesClient client = kubeconfig.connect()) {
                assertEquals("team", client.getNamespace());
                assertEquals("probe", client.configMaps().withName("probe").get().getMetadata().getName());
            }
        }
    }

    @Test
    void nothingOfThisJvmsKubernetesSettingsGetsIn(@TempDir Path dir) throws Exception {
        // fabric8 auto-configuration reads these (and KUBECONFIG, ~/.kube/config, the service account):
        // the client must have the kubeconfig's own values only.
        Path marker = dir.resolve("marker");
        Path other = dir.resolve("other-kubeconfig");
        Files.writeString(other, withExec("https://other:6443", marker));
        Map<String, String> properties = Map.of(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY, "https://elsewhere:6443",
                Config.KUBERNETES_OAUTH_TOKEN_SYSTEM_PROPERTY, "from-a-system-property",
                Config.KUBERNETES_NAMESPACE_SYSTEM_PROPERTY, "from-a-system-property",
                Config.KUBERNETES_KUBECONFIG_FILE, other.toString(),
                Config.KUBERNETES_HTTPS_PROXY, "http://proxy:3128",
                Config.KUBERNETES_CLIENT_KEY_ALGO_SYSTEM_PROPERTY, "EC");
        properties.forEach(System::setProperty);
        try {
            Kubeconfig kubeconfig = Kubeconfig.fromContent(kubeconfig("https://10.0.0.1:6443", "", ""));
            Config config = kubeconfig.config();
            assertEquals("https://10.0.0.1:6443/", config.getMasterUrl());
            assertEquals(SECRET, config.getOauthToken());
            assertNull(config.getNamespace());
            assertNull(config.getHttpsProxy());
            assertNull(config.getCurrentContext());
            assertFalse(Boolean.TRUE.equals(config.getAutoConfigure()));
            assertNull(config.getFile());
            // Nothing to re-read when a request is answered 401: refresh keeps this configuration.
            assertEquals(config.getMasterUrl(), config.refresh().getMasterUrl());
            try (KubernetesClient client = kubeconfig.connect()) {
                assertEquals("https://10.0.0.1:6443/", client.getMasterUrl().toString());
                assertEquals(SECRET, client.getConfiguration().getOauthToken());
                assertNull(client.getNamespace());
            }
        } finally {
            properties.keySet().forEach(System::clearProperty);
        }
        assertFalse(Files.exists(marker), "the exec command of the kubeconfig named by kubeconfig system property ran");
    }

    @Test
    void malformedFieldsAreNamedWithoutTheirValues() {
        List<String[]> cases = List.of(
                new String[] {kubeconfig("ftp://" + SECRET, "", ""), "clusters[c1].cluster.server is not an http(s) URL"},
                new String[] {kubeconfig("https://10.0.0.1:6443", "", "    client-certificate-data: " + SECRET + "\n"),
                    "users[admin].user.client-key-data is missing"},
                new String[] {kubeconfig("https://10.0.0.1:6443", "", "    client-certificate-data: Zm9v\n    client-key-data: "
                        + SECRET + "\n"), "users[admin].user.client-key-data is not an unencrypted RSA or EC private key"},
                new String[] {kubeconfig("https://10.0.0.1:6443", "    insecure-skip-tls-verify: " + SECRET + "\n", ""),
                    "clusters[c1].cluster.insecure-skip-tls-verify is not true or false"},
                new String[] {kubeconfig("https://10.0.0.1:6443", "", "").replace("user: admin", "user: nobody"),
                    "contexts[c1].context.user names no entry of users"});
        for (String[] c : cases) {
            ClusterStepException e = assertThrows(ClusterStepException.class, () -> Kubeconfig.fromContent(c[0]).connect(), c[1]);
            assertTrue(e.getMessage().startsWith("kubeconfig content: " + c[1]), e.getMessage());
            assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        }
    }

    /** A self-signed client certificate and its PKCS#8 key, each as kubeconfig data (base64 of PEM), made with keytool. */
    private static String[] certificateAndKey(Path dir, String algorithm) throws Exception {
        Path store = dir.resolve("client.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "admin", "-keyalg", algorithm, "-dname", "CN=kubernetes-admin", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
                new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            keyStore.load(in, "changeit".toCharArray());
        }
        Certificate certificate = keyStore.getCertificate("admin");
        byte[] key = keyStore.getKey("admin", "changeit".toCharArray()).getEncoded();
        return new String[] {pemData("CERTIFICATE", certificate.getEncoded()), pemData("PRIVATE KEY", key)};
    }

    private static String pemData(String type, byte[] der) {
        String pem = "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }
}
