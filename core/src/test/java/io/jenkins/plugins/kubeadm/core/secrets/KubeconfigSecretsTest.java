package io.jenkins.plugins.kubeadm.core.secrets;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KubeconfigSecretsTest {

    static String keyPem;
    static String keyData;
    static String certData;
    static final String SA_TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl";
    static final String PASSWORD = "s3cr3t-Passw0rd";
    static final String CA_DATA = Base64.getEncoder().encodeToString("-----BEGIN CERTIFICATE-----\nMIIBcaPublic\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.UTF_8));

    @BeforeAll
    static void makeKey() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        byte[] der = generator.generateKeyPair().getPrivate().getEncoded();
        keyPem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
        keyData = Base64.getEncoder().encodeToString(keyPem.getBytes(StandardCharsets.US_ASCII));
        byte[] fakeCert = new byte[900];
        new Random(7).nextBytes(fakeCert);
        certData = Base64.getEncoder().encodeToString(fakeCert);
    }

    static String adminConf() {
        return "apiVersion: v1\n"
                + "clusters:\n"
                + "- cluster:\n"
                + "    certificate-authority-data: " + CA_DATA + "\n"
                + "    server: https://192.168.1.10:6443\n"
                + "  name: kubernetes\n"
                + "contexts:\n"
                + "- context:\n"
                + "    cluster: kubernetes\n"
                + "    user: kubernetes-admin\n"
                + "  name: kubernetes-admin@kubernetes\n"
                + "current-context: kubernetes-admin@kubernetes\n"
                + "kind: Config\n"
                + "preferences: {}\n"
                + "users:\n"
                + "- name: kubernetes-admin\n"
                + "  user:\n"
                + "    client-certificate-data: " + certData + "\n"
                + "    client-key-data: " + keyData + "\n"
                + "- name: robot\n"
                + "  user:\n"
                + "    token: \"" + SA_TOKEN + "\"\n"
                + "- name: basic\n"
                + "  user: {username: admin, password: '" + PASSWORD + "'}\n";
    }

    @Test
    void findsEveryCredentialAndTheKeyBodyLines() {
        Set<String> secrets = KubeconfigSecrets.of(adminConf());
        assertTrue(secrets.containsAll(List.of(keyData, certData, SA_TOKEN, PASSWORD)), secrets.toString());
        List<String> bodyLines = keyPem.lines().filter(l -> !l.startsWith("-----")).toList();
        assertTrue(bodyLines.size() > 10);
        assertTrue(secrets.containsAll(bodyLines));
        assertFalse(secrets.contains(CA_DATA), "the CA certificate is public");
        assertFalse(secrets.contains("admin"), "user names are not credentials");
    }

    @Test
    void redactorMasksKubeconfigFieldsAndThePrintedKey() throws IOException {
        SecretRedactor redactor = SecretRedactor.literalOnly();
        assertTrue(redactor.addKubeconfig(adminConf()) > 10);
        ByteArrayOutputStream target = new ByteArrayOutputStream();
        byte[] printed = (adminConf() + keyPem).getBytes(StandardCharsets.UTF_8);
        try (RedactingOutputStream out = redactor.wrap(target)) {
            // Odd-sized writes, so secrets straddle write boundaries.
            for (int at = 0; at < printed.length; at += 97) {
                out.write(printed, at, Math.min(97, printed.length - at));
            }
        }
        String text = target.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains(keyData.substring(0, 40)));
        assertFalse(text.contains(certData.substring(100, 140)));
        assertFalse(text.contains(SA_TOKEN));
        assertFalse(text.contains(PASSWORD));
        for (String bodyLine : keyPem.lines().filter(l -> !l.startsWith("-----")).toList()) {
            if (bodyLine.length() >= SecretRedactor.MIN_SECRET_LENGTH) {
                assertFalse(text.contains(bodyLine), "key line leaked");
            }
        }
        assertTrue(text.contains("client-key-data: ****"), text);
        assertTrue(text.contains("certificate-authority-data: " + CA_DATA));
        assertTrue(text.contains("-----BEGIN PRIVATE KEY-----\n****\n"));
    }

    @Test
    void unreadableYamlStillGivesUpOneLineCredentials() {
        // A tab in the indentation makes the document invalid YAML.
        String broken = "users:\n- name: x\n  user:\n\t token: " + SA_TOKEN + "\n    client-key-data: \"" + keyData + "\"\n  bad: [\n";
        Set<String> secrets = KubeconfigSecrets.of(broken);
        assertTrue(secrets.contains(SA_TOKEN), secrets.toString());
        assertTrue(secrets.contains(keyData));
    }

    @Test
    void blockScalarValuesAreFoundThroughTheYamlParser() {
        String folded = "users:\n- name: x\n  user:\n    password: >-\n      " + PASSWORD + "\n";
        assertEquals(Set.of(PASSWORD), KubeconfigSecrets.of(folded));
    }

    @Test
    void emptyOrAbsentKubeconfigHasNoSecrets() {
        assertTrue(KubeconfigSecrets.of("").isEmpty());
        assertTrue(KubeconfigSecrets.of(null).isEmpty());
        assertTrue(KubeconfigSecrets.of("apiVersion: v1\nkind: Config\nusers: []\n").isEmpty());
    }
}
