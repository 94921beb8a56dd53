package io.jenkins.plugins.kubeadm.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Both runners share the bootstrap; each behaviour is checked on each, the SSH one against a real SSH server. */
class ScriptRunnerTest {

    @TempDir
    static Path dir;
    static TestSshServer sshServer;

    @BeforeAll
    static void startServer() throws Exception {
        sshServer = new TestSshServer(dir);
    }

    @AfterAll
    static void stopServer() throws IOException {
        sshServer.close();
    }

    static SshScriptRunner sshRunner() {
        return new SshScriptRunner(new NodeTarget("node1", "127.0.0.1", sshServer.port(), currentUser(), sshServer.clientKey,
                new HostKeyPolicy.PinnedFingerprint(sshServer.hostKeyFingerprint)));
    }

    static String currentUser() {
        return System.getProperty("user.name");
    }

    static Stream<ScriptRunner> runners() {
        return Stream.of(new LocalScriptRunner("node1"), sshRunner());
    }

    static StepScript script(String body) {
        return new StepScript("test-step.sh", ("#!/usr/bin/env bash\nset -euo pipefail\n" + body).getBytes(StandardCharsets.UTF_8),
                StepScript.load("prepare-node.sh").commonLibrary());
    }

    record Line(LineSink.Stream stream, String text) {
    }

    static List<Line> run(ScriptRunner runner, StepRequest request, ExecResult[] result) throws IOException {
        List<Line> lines = new CopyOnWriteArrayList<>();
        result[0] = runner.run(request, (node, stream, text) -> lines.add(new Line(stream, text)), Duration.ofSeconds(30), Cancellation.none());
        return lines;
    }

    @ParameterizedTest
    @MethodSource("runners")
    void environmentValuesArriveVerbatimAndAreNeverInterpretedAsShell(ScriptRunner runner) throws Exception {
        Path marker = dir.resolve("injected-" + runner.getClass().getSimpleName());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUOTES", "it's \"quoted\" \\ back");
        env.put("SUBSTITUTION", "$(touch " + marker + ") `touch " + marker + "` ${HOME}");
        env.put("MULTILINE", "10.0.0.1 a\n10.0.0.2 b\n");
        env.put("UNICODE", "ノード-노드-節點");
        env.put("EMPTY", "");
        String body = "for v in QUOTES SUBSTITUTION MULTILINE UNICODE EMPTY; do printf '%s %s\\n' \"$v\" \"$(printf '%s' \"${!v}\" | sha256sum | cut -c1-64)\"; done\n";
        ExecResult[] result = new ExecResult[1];
        try (runner) {
            List<Line> lines = run(runner, StepRequest.of(script(body), env), result);
            assertTrue(result[0].succeeded(), result[0].describe());
            for (var e : env.entrySet()) {
                assertTrue(lines.contains(new Line(LineSink.Stream.STDOUT, e.getKey() + " " + sha256(e.getValue()))),
                        e.getKey() + " did not arrive verbatim: " + lines);
            }
        }
        assertFalse(Files.exists(marker), "a value was executed as shell text");
    }

    @ParameterizedTest
    @MethodSource("runners")
    void streamsBothOutputsLineByLineAndReturnsTheExitStatus(ScriptRunner runner) throws Exception {
        String body = "echo '==> first'\necho 'oops' >&2\nprintf 'no newline at end'\nexit 3\n";
        ExecResult[] result = new ExecResult[1];
        try (runner) {
            List<Line> lines = run(runner, StepRequest.of(script(body), Map.of()), result);
            assertEquals(3, result[0].exitStatus());
            assertEquals(ExecResult.Outcome.COMPLETED, result[0].outcome());
            assertTrue(lines.contains(new Line(LineSink.Stream.STDOUT, "==> first")), lines.toString());
            assertTrue(lines.contains(new Line(LineSink.Stream.STDERR, "oops")), lines.toString());
            assertTrue(lines.contains(new Line(LineSink.Stream.STDOUT, "no newline at end")), lines.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("runners")
    void privateFilesAreOwnerOnlyAndRemovedAfterTheStep(ScriptRunner runner) throws Exception {
        String body = "printf 'path %s\\n' \"$JOIN_COMMAND_FILE\"\nprintf 'mode %s\\n' \"$(stat -c %a \"$JOIN_COMMAND_FILE\")\"\n"
                + "printf 'sum %s\\n' \"$(sha256sum < \"$JOIN_COMMAND_FILE\" | cut -c1-64)\"\n";
        byte[] secret = "kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        ExecResult[] result = new ExecResult[1];
        try (runner) {
            List<Line> lines = run(runner, new StepRequest(script(body), Map.of(), Map.of("JOIN_COMMAND_FILE", secret)), result);
            assertTrue(result[0].succeeded(), result[0].describe() + " " + lines);
            String path = value(lines, "path ");
            assertEquals("600", value(lines, "mode "));
            assertEquals(sha256(new String(secret, StandardCharsets.UTF_8)), value(lines, "sum "));
            assertFalse(Files.exists(Path.of(path)), "private file left behind at " + path);
            assertFalse(Files.exists(Path.of(path).getParent().getParent()), "staging folder left behind");
        }
    }

    @ParameterizedTest
    @MethodSource("runners")
    void aTimeoutStopsTheStepsWholeProcessGroup(ScriptRunner runner) throws Exception {
        Path pidFile = dir.resolve("pid-" + runner.getClass().getSimpleName());
        Path late = dir.resolve("late-" + runner.getClass().getSimpleName());
        String body = "sleep 60 & echo $! > " + pidFile + "\nwait\ntouch " + late + "\n";
        try (runner) {
            ExecResult result = runner.run(StepRequest.of(script(body), Map.of()), LineSink.NONE, Duration.ofSeconds(2), Cancellation.none());
            assertEquals(ExecResult.Outcome.TIMED_OUT, result.outcome());
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertTrue(waitUntilGone(pid), "the step's child process " + pid + " still runs after the timeout");
        assertFalse(Files.exists(late), "the step went on after the timeout");
    }

    @ParameterizedTest
    @MethodSource("runners")
    void cancellationStopsTheStep(ScriptRunner runner) throws Exception {
        Path pidFile = dir.resolve("cancel-pid-" + runner.getClass().getSimpleName());
        String body = "echo $$ > " + pidFile + "\nsleep 60\n";
        Cancellation cancellation = new Cancellation();
        Thread canceller = new Thread(() -> {
            while (!Files.exists(pidFile)) {
                Thread.onSpinWait();
            }
            cancellation.cancel();
        });
        canceller.start();
        try (runner) {
            ExecResult result = runner.run(StepRequest.of(script(body), Map.of()), LineSink.NONE, Duration.ofSeconds(30), cancellation);
            assertEquals(ExecResult.Outcome.CANCELLED, result.outcome());
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertTrue(waitUntilGone(pid), "the cancelled step " + pid + " still runs");
    }

    /** How a Jenkins agent running the SSH runner is told the build stopped: its thread is interrupted. */
    @Test
    void interruptingTheSshRunnersThreadStopsTheStep() throws Exception {
        Path pidFile = dir.resolve("interrupt-pid");
        String body = "echo $$ > " + pidFile + "\nsleep 60\n";
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread step = new Thread(() -> {
            try (SshScriptRunner runner = sshRunner()) {
                outcome.set(runner.run(StepRequest.of(script(body), Map.of()), LineSink.NONE, Duration.ofSeconds(30),
                        Cancellation.none()).outcome());
            } catch (IOException | RuntimeException e) {
                outcome.set(e);
            }
        });
        step.start();
        while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
            Thread.sleep(20);
        }
        step.interrupt();
        step.join(15_000);
        assertFalse(step.isAlive(), "the interrupted step still waits");
        assertEquals(ExecResult.Outcome.CANCELLED, outcome.get());
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertTrue(waitUntilGone(pid), "the interrupted step " + pid + " still runs");
    }

    @Test
    void aHostKeyThatDoesNotMatchThePinnedFingerprintIsRejected() {
        NodeTarget target = new NodeTarget("node1", "127.0.0.1", sshServer.port(), currentUser(), sshServer.clientKey,
                new HostKeyPolicy.PinnedFingerprint("SHA256:" + "A".repeat(43)));
        try (SshScriptRunner runner = new SshScriptRunner(target)) {
            IOException e = assertThrows(IOException.class,
                    () -> runner.run(StepRequest.of(script("true\n"), Map.of()), LineSink.NONE, Duration.ofSeconds(10), Cancellation.none()));
            assertTrue(e.getMessage().contains("node1"), e.getMessage());
            assertTrue(e.getMessage().contains("with fingerprint " + sshServer.hostKeyFingerprint + ", not the pinned SHA256:AAAA"),
                    e.getMessage());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aKeyTheServerDoesNotKnowCannotLogIn() throws Exception {
        Path otherKey = dir.resolve("other_key");
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey.toString()).start().waitFor();
        NodeTarget target = new NodeTarget("node1", "127.0.0.1", sshServer.port(), currentUser(), otherKey,
                new HostKeyPolicy.PinnedFingerprint(sshServer.hostKeyFingerprint));
        try (SshScriptRunner runner = new SshScriptRunner(target)) {
            IOException e = assertThrows(IOException.class,
                    () -> runner.run(StepRequest.of(script("true\n"), Map.of()), LineSink.NONE, Duration.ofSeconds(10), Cancellation.none()));
            assertTrue(e.getMessage().contains("SSH login as"), e.getMessage());
        }
    }

    @Test
    void aKnownHostsFileWithoutTheNodeRejectsIt() throws Exception {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "");
        String message = knownHostsFailure(knownHosts);
        assertTrue(message.contains("host key check failed: the server offered host key type ecdsa-sha2-nistp"), message);
        assertTrue(message.contains(knownHosts + " has no key for [127.0.0.1]:" + sshServer.port()), message);
    }

    /** What OpenSSH records after a first login: only the ed25519 key, under a hashed name. */
    @Test
    void aKnownHostsFileWithOnlyTheEd25519KeyIsEnoughAsWithOpenSsh() throws Exception {
        Path knownHosts = dir.resolve("known_hosts_ed25519");
        Files.writeString(knownHosts, "[127.0.0.1]:" + sshServer.port() + " " + sshServer.ed25519HostKey + "\n");
        Process hash = new ProcessBuilder("ssh-keygen", "-H", "-f", knownHosts.toString()).redirectErrorStream(true).start();
        assertEquals(0, hash.waitFor(), new String(hash.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(Files.readString(knownHosts).startsWith("|1|"), "the name is hashed");
        NodeTarget target = new NodeTarget("node1", "127.0.0.1", sshServer.port(), currentUser(), sshServer.clientKey,
                new HostKeyPolicy.KnownHosts(knownHosts));
        try (SshScriptRunner runner = new SshScriptRunner(target)) {
            ExecResult result = runner.run(StepRequest.of(script("true\n"), Map.of()), LineSink.NONE, Duration.ofSeconds(30), Cancellation.none());
            assertTrue(result.succeeded(), result.toString());
        }
    }

    @Test
    void aHostKeyTypeKnownHostsDoesNotHoldIsNamedWithTheTypesItHolds() throws Exception {
        // known_hosts has an RSA key for the node, which this server does not have: it offers ECDSA instead.
        Path rsa = dir.resolve("some_rsa_key");
        assertEquals(0, new ProcessBuilder("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", rsa.toString())
                .redirectErrorStream(true).start().waitFor());
        String[] rsaLine = Files.readString(dir.resolve("some_rsa_key.pub")).trim().split("\\s+");
        Path knownHosts = dir.resolve("known_hosts_rsa");
        Files.writeString(knownHosts, "[127.0.0.1]:" + sshServer.port() + " " + rsaLine[0] + " " + rsaLine[1] + "\n"
                + "[127.0.0.1]:1 " + sshServer.ed25519HostKey + "\n");
        String message = knownHostsFailure(knownHosts);
        assertTrue(message.startsWith("node1: SSH login as " + currentUser() + "@127.0.0.1:" + sshServer.port()
                + " failed: host key check failed: the server offered host key type ecdsa-sha2-nistp"), message);
        assertTrue(message.endsWith(knownHosts + " has only ssh-rsa for [127.0.0.1]:" + sshServer.port()), message);
    }

    private static String knownHostsFailure(Path knownHosts) throws IOException {
        NodeTarget target = new NodeTarget("node1", "127.0.0.1", sshServer.port(), currentUser(), sshServer.clientKey,
                new HostKeyPolicy.KnownHosts(knownHosts));
        try (SshScriptRunner runner = new SshScriptRunner(target)) {
            return assertThrows(IOException.class,
                    () -> runner.run(StepRequest.of(script("true\n"), Map.of()), LineSink.NONE, Duration.ofSeconds(10), Cancellation.none()))
                    .getMessage();
        }
    }

    @Test
    void requestToStringShowsNamesOnly() {
        StepRequest request = new StepRequest(script("true\n"), Map.of("TOKEN_LIKE", "abcdef.0123456789abcdef"),
                Map.of("JOIN_COMMAND_FILE", "secret".getBytes(StandardCharsets.UTF_8)));
        assertFalse(request.toString().contains("0123456789abcdef"));
        assertFalse(request.toString().contains("secret"));
    }

    private static boolean waitUntilGone(long pid) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (!Files.exists(Path.of("/proc/" + pid)) || isZombie(pid)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static boolean isZombie(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat")).replaceFirst("^.*\\) ", "").startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }

    private static String value(List<Line> lines, String prefix) {
        return lines.stream().map(Line::text).filter(t -> t.startsWith(prefix)).findFirst()
                .map(t -> t.substring(prefix.length())).orElseThrow(() -> new AssertionError("no line " + prefix + " in " + lines));
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
