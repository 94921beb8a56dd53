package io.jenkins.plugins.kubeadm.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a Jenkins credential gives the SSH runner: key text and passphrase in memory, known_hosts lines
 * in memory. Logs in to a real (MINA) SSH server; failures never quote the key or passphrase.
 */
class InMemorySshLoginTest {

    private static final String PASSPHRASE = "correct horse battery staple";

    @TempDir
    static Path dir;
    static TestSshServer sshServer;
    /** The server's accepted client key, re-encrypted with {@link #PASSPHRASE}. */
    static byte[] encryptedKey;

    @BeforeAll
    static void startServer() throws Exception {
        sshServer = new TestSshServer(dir);
        Path copy = dir.resolve("id_encrypted");
        Files.copy(sshServer.clientKey, copy);
        Process reencrypt = new ProcessBuilder("ssh-keygen", "-q", "-p", "-P", "", "-N", PASSPHRASE, "-f", copy.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, reencrypt.waitFor(), new String(reencrypt.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        encryptedKey = Files.readAllBytes(copy);
        assertTrue(new String(encryptedKey, StandardCharsets.US_ASCII).contains("OPENSSH PRIVATE KEY"));
    }

    @AfterAll
    static void stopServer() throws IOException {
        sshServer.close();
    }

    private static HostKeyPolicy.KnownHostsText knownHosts() {
        return new HostKeyPolicy.KnownHostsText("known_hosts credential 'lab'",
                "# the lab\n[127.0.0.1]:" + sshServer.port() + " " + sshServer.ed25519HostKey + "\n");
    }

    private static ExecResult runWith(SshIdentity identity, HostKeyPolicy hostKeys) throws IOException {
        NodeTarget target = new NodeTarget("node1", "127.0.0.1", sshServer.port(), ScriptRunnerTest.currentUser(), identity, hostKeys);
        try (SshScriptRunner runner = new SshScriptRunner(target)) {
            return runner.run(StepRequest.of(ScriptRunnerTest.script("echo logged-in > \"$MARK\"\n"),
                    Map.of("MARK", dir.resolve("mark").toString())), LineSink.NONE, Duration.ofSeconds(30), Cancellation.none());
        }
    }

    @Test
    void aPassphraseProtectedKeyFromMemoryLogsInAndTheKnownHostsTextAcceptsTheListedHostKey() throws Exception {
        Files.deleteIfExists(dir.resolve("mark"));
        ExecResult result = runWith(new SshIdentity.InMemory("SSH credential 'lab-key'", encryptedKey, PASSPHRASE), knownHosts());
        assertTrue(result.succeeded(), result.toString());
        assertEquals("logged-in", Files.readString(dir.resolve("mark")).trim());
    }

    @Test
    void anUnencryptedKeyFromMemoryLogsIn() throws Exception {
        ExecResult result = runWith(new SshIdentity.InMemory("SSH credential 'plain'", Files.readAllBytes(sshServer.clientKey), null),
                knownHosts());
        assertTrue(result.succeeded(), result.toString());
    }

    @Test
    void aWrongPassphraseFailsNamingTheCredentialWithoutQuotingKeyOrPassphrase() {
        String wrong = "not-the-passphrase-42";
        IOException e = assertThrows(IOException.class,
                () -> runWith(new SshIdentity.InMemory("SSH credential 'lab-key'", encryptedKey, wrong), knownHosts()));
        String message = messages(e);
        assertTrue(message.contains("the private key of SSH credential 'lab-key' cannot be loaded"), message);
        assertTrue(message.contains("the passphrase is wrong"), message);
        assertFalse(message.contains(wrong), message);
        assertKeyNotQuoted(message, encryptedKey);
    }

    @Test
    void anEncryptedKeyWithoutPassphraseSaysSo() {
        IOException e = assertThrows(IOException.class,
                () -> runWith(new SshIdentity.InMemory("SSH credential 'lab-key'", encryptedKey, ""), knownHosts()));
        assertTrue(messages(e).contains("no passphrase is given"), messages(e));
    }

    @Test
    void textThatIsNoKeyIsRejectedWithoutBeingQuoted() {
        byte[] notAKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWJ1dC1icm9rZW4=\n-----END OPENSSH PRIVATE KEY-----\n"
                .getBytes(StandardCharsets.US_ASCII);
        IOException e = assertThrows(IOException.class,
                () -> runWith(new SshIdentity.InMemory("SSH credential 'broken'", notAKey, null), knownHosts()));
        assertTrue(messages(e).contains("SSH credential 'broken'"), messages(e));
        assertFalse(messages(e).contains("c2VjcmV0LWJ1dC1icm9rZW4"), messages(e));
    }

    @Test
    void knownHostsTextWithoutTheNodeRejectsItNamingItsSource() {
        HostKeyPolicy other = new HostKeyPolicy.KnownHostsText("known_hosts credential 'other'",
                "[127.0.0.1]:1 " + sshServer.ed25519HostKey + "\n");
        IOException e = assertThrows(IOException.class,
                () -> runWith(new SshIdentity.InMemory("SSH credential 'lab-key'", encryptedKey, PASSPHRASE), other));
        assertTrue(e.getMessage().contains("host key check failed"), e.getMessage());
        assertTrue(e.getMessage().contains("known_hosts credential 'other' has no key for [127.0.0.1]:" + sshServer.port()), e.getMessage());
    }

    @Test
    void aRevokedLineRejectsTheKeyEvenWhenAnotherLineListsIt() {
        String host = "[127.0.0.1]:" + sshServer.port();
        HostKeyPolicy revoked = new HostKeyPolicy.KnownHostsText("known_hosts 'revoked'",
                host + " " + sshServer.ed25519HostKey + "\n@revoked " + host + " " + sshServer.ed25519HostKey + "\n");
        IOException e = assertThrows(IOException.class,
                () -> runWith(new SshIdentity.InMemory("SSH credential 'lab-key'", encryptedKey, PASSPHRASE), revoked));
        assertTrue(e.getMessage().contains("host key check failed"), e.getMessage());
    }

    @Test
    void knownHostsTextWithoutAnyKeyIsNoPolicy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HostKeyPolicy.KnownHostsText("known_hosts file 'hosts'", "# nothing yet\n"));
        assertTrue(e.getMessage().startsWith("known_hosts file 'hosts' lists no host key"), e.getMessage());
    }

    @Test
    void theIdentityPrintsNeitherKeyNorPassphrase() {
        SshIdentity identity = new SshIdentity.InMemory("SSH credential 'lab-key'", encryptedKey, PASSPHRASE);
        assertEquals("SshIdentity.InMemory[SSH credential 'lab-key']", identity.toString());
    }

    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    private static void assertKeyNotQuoted(String message, byte[] key) {
        for (String line : new String(key, StandardCharsets.US_ASCII).split("\n")) {
            if (!line.startsWith("-----") && line.length() > 16) {
                assertFalse(message.contains(line.substring(0, 16)), "the message quotes the key: " + message);
            }
        }
    }
}
