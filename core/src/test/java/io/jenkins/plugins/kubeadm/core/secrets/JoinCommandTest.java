package io.jenkins.plugins.kubeadm.core.secrets;

import io.jenkins.plugins.kubeadm.core.params.KubernetesVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JoinCommandTest {

    // A token and hash as kubeadm init prints them; the certificate key is made up.
    static final String TOKEN = "ubptkc.w4jzuknripa0p3z7";
    static final String TOKEN_SECRET = "w4jzuknripa0p3z7";
    static final String HASH = "sha256:b9aad86ca0adce7b5acc4b8dd4a48dc97bf0fcfcd34a582f00cb96057d1c8cc1";
    static final String HASH2 = "sha256:7c2e69131a36ae2a042a339b33381c6d0d43887e2de83720eff5359e26aec866";
    static final String CERT_KEY = "3f1c9e0b7a6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b";

    /** The end of a kubeadm init transcript: multi-line form, eight-space continuation. */
    static final String INIT_OUTPUT_TAIL = ""
            + "[bootstrap-token] Using token: ubptkc.w4jzuknripa0p3z7\n"
            + "[bootstrap-token] Configuring bootstrap tokens, cluster-info ConfigMap, RBAC Roles\n"
            + "[addons] Applied essential addon: CoreDNS\n"
            + "[addons] Applied essential addon: kube-proxy\n"
            + "\n"
            + "Your Kubernetes control-plane has initialized successfully!\n"
            + "\n"
            + "Then you can join any number of worker nodes by running the following on each as root:\n"
            + "\n"
            + "kubeadm join 192.168.1.10:6443 --token ubptkc.w4jzuknripa0p3z7 \\\n"
            + "        --discovery-token-ca-cert-hash sha256:b9aad86ca0adce7b5acc4b8dd4a48dc97bf0fcfcd34a582f00cb96057d1c8cc1\n";

    /** kubeadm init --upload-certs prints a control-plane join, then a worker join. */
    static final String HA_INIT_OUTPUT_TAIL = ""
            + "[upload-certs] Using certificate key:\n"
            + CERT_KEY + "\n"
            + "You can now join any number of the control-plane node running the following command on each as root:\n"
            + "\n"
            + "  kubeadm join cp.lab.example:6443 --token " + TOKEN + " \\\n"
            + "\t--discovery-token-ca-cert-hash " + HASH + " \\\n"
            + "\t--control-plane --certificate-key " + CERT_KEY + "\n"
            + "\n"
            + "Please note that the certificate-key gives access to cluster sensitive data, keep it secret!\n"
            + "\n"
            + "Then you can join any number of worker nodes by running the following on each as root:\n"
            + "\n"
            + "kubeadm join cp.lab.example:6443 --token " + TOKEN + " \\\n"
            + "\t--discovery-token-ca-cert-hash " + HASH + " \n";

    @Test
    void parsesPrintJoinCommandOneLiner() {
        JoinCommand join = JoinCommand.parse("kubeadm join 192.168.1.10:6443 --token " + TOKEN
                + " --discovery-token-ca-cert-hash " + HASH + " \n");
        assertEquals(new ApiServerEndpoint("192.168.1.10", 6443), join.apiServerEndpoint());
        assertEquals(TOKEN, join.token());
        assertEquals("ubptkc", join.tokenId());
        assertEquals(List.of(HASH), join.caCertHashes());
        assertFalse(join.isControlPlane());
        assertTrue(join.certificateKey().isEmpty());
    }

    @Test
    void parsesMultiLineFormAtTheEndOfInitOutput() {
        JoinCommand join = JoinCommand.parse(INIT_OUTPUT_TAIL);
        assertEquals("192.168.1.10:6443", join.apiServerEndpoint().toString());
        assertEquals(TOKEN, join.token());
        assertEquals(List.of(HASH), join.caCertHashes());
        assertFalse(join.isControlPlane());
    }

    @Test
    void parsesCrLfOutputAndSudoPrompt() {
        JoinCommand join = JoinCommand.parse("$ sudo /usr/bin/kubeadm join 192.168.1.10:6443 --token " + TOKEN + " \\\r\n"
                + "    --discovery-token-ca-cert-hash " + HASH + "\r\n");
        assertEquals(TOKEN, join.token());
    }

    @Test
    void parsesControlPlaneVariantAndItsWorkerTwin() {
        List<JoinCommand> joins = JoinCommand.parseAll(HA_INIT_OUTPUT_TAIL);
        assertEquals(2, joins.size());
        JoinCommand controlPlane = joins.get(0);
        assertTrue(controlPlane.isControlPlane());
        assertEquals(CERT_KEY, controlPlane.certificateKey().orElseThrow());
        assertEquals("cp.lab.example", controlPlane.apiServerEndpoint().host());
        JoinCommand worker = joins.get(1);
        assertFalse(worker.isControlPlane());
        assertEquals(worker, controlPlane.forWorkers());

        JoinCommandException twoCommands = assertThrows(JoinCommandException.class, () -> JoinCommand.parse(HA_INIT_OUTPUT_TAIL));
        assertTrue(twoCommands.getMessage().contains("found 2"), twoCommands.getMessage());
        assertNoSecrets(twoCommands.getMessage());
    }

    @Test
    void acceptsEqualsFormsSeveralAndCommaSeparatedHashesAndUpperCaseHex() {
        JoinCommand join = JoinCommand.parse("kubeadm join [fd00:10::1]:6443 --token=" + TOKEN
                + " --discovery-token-ca-cert-hash=" + HASH + "," + HASH2
                + " --discovery-token-ca-cert-hash " + HASH.toUpperCase().replace("SHA256", "sha256"));
        assertEquals("fd00:10::1", join.apiServerEndpoint().host());
        assertEquals("[fd00:10::1]:6443", join.apiServerEndpoint().toString());
        assertEquals(List.of(HASH, HASH2), join.caCertHashes(), "lower-cased, duplicates dropped, order kept");
    }

    @Test
    void commandLineRoundTrips() {
        JoinCommand cp = JoinCommand.parseAll(HA_INIT_OUTPUT_TAIL).get(0);
        assertEquals(cp, JoinCommand.parse(cp.toSecretCommandLine()));
        JoinCommand worker = JoinCommand.parse(INIT_OUTPUT_TAIL);
        assertEquals(worker, JoinCommand.parse(worker.toSecretCommandLine()));
    }

    @Test
    void factoriesValidateLikeTheParser() {
        JoinCommand join = JoinCommand.ofControlPlane("10.0.0.5:6443", TOKEN, List.of(HASH), CERT_KEY);
        assertTrue(join.isControlPlane());
        JoinCommandException e = assertThrows(JoinCommandException.class,
                () -> JoinCommand.of("10.0.0.5:6443", "Ubptkc.w4jzuknripa0p3z7", List.of(HASH)));
        assertTrue(e.getMessage().contains("token is not of the form [a-z0-9]{6}.[a-z0-9]{16}"), e.getMessage());
        assertFalse(e.getMessage().contains("w4jzuknripa0p3z7"), e.getMessage());
        assertThrows(JoinCommandException.class, () -> JoinCommand.of("10.0.0.5:6443", TOKEN, List.of()));
    }

    static Stream<Arguments> garbledCommands() {
        String ok = " --token " + TOKEN + " --discovery-token-ca-cert-hash " + HASH;
        return Stream.of(
                Arguments.of("kubeadm join 10.0.0.5:6443 --token UBPTKC.W4JZUKNRIPA0P3Z7 --discovery-token-ca-cert-hash " + HASH,
                        "token is not of the form [a-z0-9]{6}.[a-z0-9]{16}"),
                Arguments.of("kubeadm join 10.0.0.5:6443 --token ubptkc.w4jzuknripa0p3z --discovery-token-ca-cert-hash " + HASH,
                        "token is not of the form [a-z0-9]{6}.[a-z0-9]{16}"),
                Arguments.of("kubeadm join 10.0.0.5:6443 --token ubptkcw4jzuknripa0p3z7 --discovery-token-ca-cert-hash " + HASH,
                        "token is not of the form [a-z0-9]{6}.[a-z0-9]{16}"),
                Arguments.of("kubeadm join 10.0.0.5:6443 --discovery-token-ca-cert-hash " + HASH, "--token is missing"),
                Arguments.of("kubeadm join 10.0.0.5:6443 --token --discovery-token-ca-cert-hash " + HASH, "--token needs a value"),
                Arguments.of("kubeadm join 10.0.0.5:6443 --token " + TOKEN + " --token " + TOKEN
                        + " --discovery-token-ca-cert-hash " + HASH, "--token given more than once"),
                Arguments.of("kubeadm join 10.0.0.5:6443 --token " + TOKEN, "no CA cert hash"),
                Arguments.of("kubeadm join 10.0.0.5:6443 --token " + TOKEN + " --discovery-token-ca-cert-hash sha256:b9aad86ca0",
                        "CA cert hash #1 is not of the form sha256:<64 hex digits>"),
                Arguments.of("kubeadm join 10.0.0.5:6443 --token " + TOKEN + " --discovery-token-ca-cert-hash " + HASH
                        + " --discovery-token-ca-cert-hash sha1:" + TOKEN_SECRET,
                        "CA cert hash #2 is not of the form sha256:<64 hex digits>"),
                Arguments.of("kubeadm join 10.0.0.5:6443 --token " + TOKEN + " --discovery-token-ca-cert-hash " + TOKEN,
                        "CA cert hash #1 is not of the form sha256:<64 hex digits>"),
                Arguments.of("kubeadm join" + ok, "API server endpoint (host:port) is missing"),
                Arguments.of("kubeadm join 10.0.0.5" + ok, "API server endpoint has no port"),
                Arguments.of("kubeadm join 10.0.0.5:0" + ok, "port is not a number in 1-65535"),
                Arguments.of("kubeadm join 10.0.0.5:65536" + ok, "port is not a number in 1-65535"),
                Arguments.of("kubeadm join 10.0.0.5:+443" + ok, "port is not a number in 1-65535"),
                Arguments.of("kubeadm join 999.0.0.5:6443" + ok, "host is not an IPv4 address or DNS name"),
                Arguments.of("kubeadm join 10.0.0.05:6443" + ok, "host is not an IPv4 address or DNS name"),
                Arguments.of("kubeadm join -cp.example:6443" + ok, "unknown flag at position 1"),
                Arguments.of("kubeadm join cp_1.example:6443" + ok, "host is not an IPv4 address or DNS name"),
                Arguments.of("kubeadm join fd00::1:6443" + ok, "IPv6 address without [brackets]"),
                Arguments.of("kubeadm join [fd00:::1]:6443" + ok, "invalid IPv6 address"),
                Arguments.of("kubeadm join [fd00::1]6443" + ok, "is not [IPv6]:port"),
                Arguments.of("kubeadm join " + TOKEN + ":6443" + ok, "host has the form of a bootstrap token"),
                Arguments.of("kubeadm join 10.0.0.5:6443" + ok + " --skip-phases preflight", "unknown flag --skip-phases"),
                Arguments.of("kubeadm join 10.0.0.5:6443" + ok + " --x" + TOKEN_SECRET.toUpperCase() + "=" + TOKEN,
                        "unknown flag at position 6 (name not shown)"),
                Arguments.of("kubeadm join 10.0.0.5:6443" + ok + " --discovery-token-unsafe-skip-ca-verification",
                        "the CA must be pinned"),
                Arguments.of("kubeadm join 10.0.0.5:6443 " + TOKEN + ok, "unexpected extra argument at position 2 (value not shown)"),
                Arguments.of("kubeadm join 10.0.0.5:6443" + ok + " --certificate-key " + CERT_KEY,
                        "certificate key given without --control-plane"),
                Arguments.of("kubeadm join 10.0.0.5:6443" + ok + " --control-plane --certificate-key " + CERT_KEY.substring(1),
                        "certificate key is not 64 hex digits"),
                Arguments.of("kubeadm join 10.0.0.5:6443" + ok + " --control-plane --certificate-key " + CERT_KEY
                        + " --certificate-key " + CERT_KEY, "--certificate-key given more than once"),
                Arguments.of("kubeadm join 10.0.0.5:6443" + ok + " --control-plane=" + CERT_KEY, "--control-plane takes no value"),
                Arguments.of("no join command here, token " + TOKEN, "no 'kubeadm join' command found"));
    }

    @ParameterizedTest
    @MethodSource("garbledCommands")
    void garbledCommandFailsWithReasonButNoSecret(String command, String expectedReason) {
        JoinCommandException e = assertThrows(JoinCommandException.class, () -> JoinCommand.parse(command));
        assertTrue(e.getMessage().contains(expectedReason), "expected '" + expectedReason + "' in: " + e.getMessage());
        assertNoSecrets(e.getMessage());
    }

    @Test
    void parseAllNamesTheGarbledCommand() {
        String text = HA_INIT_OUTPUT_TAIL.replace("--control-plane --certificate-key " + CERT_KEY,
                "--control-plane --certificate-key " + CERT_KEY + "00");
        JoinCommandException e = assertThrows(JoinCommandException.class, () -> JoinCommand.parseAll(text));
        assertEquals("join command 1 of 2: certificate key is not 64 hex digits", e.getMessage());
    }

    @Test
    void toStringRedactsTokenSecretAndCertificateKey() {
        JoinCommand cp = JoinCommand.parseAll(HA_INIT_OUTPUT_TAIL).get(0);
        String text = cp.toString();
        assertTrue(text.contains("cp.lab.example:6443"), text);
        assertTrue(text.contains("ubptkc." + SecretRedactor.MASK), text);
        assertTrue(text.contains("certificateKey=" + SecretRedactor.MASK), text);
        assertTrue(text.contains(HASH), "CA hashes are public pins: " + text);
        assertNoSecrets(text);
    }

    @Test
    void exposesItsSecretsForTheRedactor() {
        Set<String> secrets = JoinCommand.parseAll(HA_INIT_OUTPUT_TAIL).get(0).secrets();
        assertTrue(secrets.containsAll(List.of(TOKEN, TOKEN_SECRET, CERT_KEY)), secrets.toString());
        assertTrue(secrets.contains(java.util.Base64.getEncoder().withoutPadding()
                .encodeToString(TOKEN_SECRET.getBytes(StandardCharsets.UTF_8))), "base64 as in a Secret's data");
        assertFalse(secrets.contains("ubptkc"), "the token id is public");
        assertFalse(secrets.contains(HASH), "the CA hash is public");
        assertTrue(secrets.stream().allMatch(s -> s.length() >= SecretRedactor.MIN_SECRET_LENGTH));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.30", "1.30.5", "v1.29.1"})
    void joinConfigurationBeforeKubernetes131IsV1beta3(String version) {
        assertEquals("kubeadm.k8s.io/v1beta3", yaml(JoinCommand.parse(INIT_OUTPUT_TAIL).toJoinConfigurationYaml(version)).get("apiVersion"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.31", "1.31.0", "1.34.2", "v1.33"})
    void joinConfigurationFromKubernetes131IsV1beta4(String version) {
        assertEquals("kubeadm.k8s.io/v1beta4", yaml(JoinCommand.parse(INIT_OUTPUT_TAIL).toJoinConfigurationYaml(version)).get("apiVersion"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void workerJoinConfigurationHasKubeadmFieldNames() {
        JoinCommand join = JoinCommand.of("[fd00::10]:6443", TOKEN, List.of(HASH, HASH2));
        Map<String, Object> doc = yaml(join.toJoinConfigurationYaml(new KubernetesVersion("1.31", null)));
        assertEquals(Set.of("apiVersion", "kind", "discovery", "nodeRegistration"), doc.keySet());
        assertEquals("JoinConfiguration", doc.get("kind"));
        Map<String, Object> bootstrapToken = (Map<String, Object>) ((Map<String, Object>) doc.get("discovery")).get("bootstrapToken");
        assertEquals("[fd00::10]:6443", bootstrapToken.get("apiServerEndpoint"));
        assertEquals(TOKEN, bootstrapToken.get("token"));
        assertEquals(List.of(HASH, HASH2), bootstrapToken.get("caCertHashes"));
        assertEquals(Map.of("criSocket", "unix:///var/run/containerd/containerd.sock"), doc.get("nodeRegistration"));
    }

    @Test
    void controlPlaneJoinConfigurationCarriesTheCertificateKey() {
        JoinCommand cp = JoinCommand.parseAll(HA_INIT_OUTPUT_TAIL).get(0);
        Map<String, Object> doc = yaml(cp.toJoinConfigurationYaml("1.30"));
        assertEquals(Map.of("certificateKey", CERT_KEY), doc.get("controlPlane"));
        Map<String, Object> withoutKey = yaml(JoinCommand.ofControlPlane("10.0.0.5:6443", TOKEN, List.of(HASH), null)
                .toJoinConfigurationYaml("1.32"));
        assertEquals(Map.of(), withoutKey.get("controlPlane"));
    }

    @Test
    void joinConfigurationRejectsAnUnreadableVersion() {
        JoinCommand join = JoinCommand.parse(INIT_OUTPUT_TAIL);
        assertThrows(IllegalArgumentException.class, () -> join.toJoinConfigurationYaml("2.0"));
        assertThrows(IllegalArgumentException.class, () -> join.toJoinConfigurationYaml("latest"));
    }

    @Test
    void generatedSecretsHaveKubeadmsForms() {
        String token = JoinSecrets.newBootstrapToken();
        String key = JoinSecrets.newCertificateKey();
        JoinCommand join = JoinCommand.ofControlPlane("10.0.0.5:6443", token, List.of(HASH), key);
        assertEquals(token, join.token());
        assertTrue(key.matches("[0-9a-f]{64}"));
        assertFalse(token.equals(JoinSecrets.newBootstrapToken()));
    }

    @Test
    void endpointAcceptsTheThreeHostForms() {
        assertEquals(new ApiServerEndpoint("10.0.0.5", 1), ApiServerEndpoint.parse("10.0.0.5:1"));
        assertEquals(new ApiServerEndpoint("::1", 65535), ApiServerEndpoint.parse("[::1]:65535"));
        assertEquals(new ApiServerEndpoint("::ffff:10.0.0.5", 6443), ApiServerEndpoint.parse("[::ffff:10.0.0.5]:6443"));
        assertEquals(new ApiServerEndpoint("1:2:3:4:5:6:7:8", 6443), ApiServerEndpoint.parse("[1:2:3:4:5:6:7:8]:6443"));
        assertEquals(new ApiServerEndpoint("cp-1.lab.example", 6443), ApiServerEndpoint.parse("CP-1.Lab.Example:6443"));
        assertEquals("localhost:6443", ApiServerEndpoint.parse("localhost:6443").toString());
        for (String bad : List.of("[1:2:3:4:5:6:7:8:9]:6443", "[1:2:3:4:5:6:7]:6443", "[fe80::1%eth0]:6443",
                "[::1]:", ":6443", "a..b:6443", "host-.example:6443", "10.0.0.256:6443", "10.0.0:6443")) {
            assertThrows(JoinCommandException.class, () -> ApiServerEndpoint.parse(bad), bad);
        }
    }

    static void assertNoSecrets(String text) {
        for (String secret : List.of(TOKEN, TOKEN_SECRET, TOKEN_SECRET.toUpperCase(), CERT_KEY, CERT_KEY.substring(1))) {
            assertFalse(text.contains(secret), "secret leaked into: " + text);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(byte[] bytes) {
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(new String(bytes, StandardCharsets.UTF_8));
    }
}
