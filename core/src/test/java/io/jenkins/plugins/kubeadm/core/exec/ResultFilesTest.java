package io.jenkins.plugins.kubeadm.core.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Result files come back on their own channel, on both runners, and leave nothing on the node. */
class ResultFilesTest {

    static final String SECRET = "kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:"
            + "0".repeat(64) + "\n";

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

    static Stream<ScriptRunner> runners() {
        return Stream.of(new LocalScriptRunner("node1"), new SshScriptRunner(new NodeTarget("node1", "127.0.0.1", sshServer.port(),
                System.getProperty("user.name"), sshServer.clientKey, new HostKeyPolicy.PinnedFingerprint(sshServer.hostKeyFingerprint))));
    }

    static StepScript script(String body) {
        return new StepScript("test-step.sh", ("#!/usr/bin/env bash\nset -euo pipefail\n" + body).getBytes(StandardCharsets.UTF_8),
                StepScript.load("prepare-node.sh").commonLibrary());
    }

    /** The step copies its private file into its result file and prints only where that file is. */
    static final String COPY = "printf 'path %s\\n' \"$JOIN_COMMAND_FILE\"\nprintf 'mode %s\\n' \"$(stat -c %a \"$JOIN_COMMAND_FILE\")\"\n"
            + "cat \"$SOURCE\" > \"$JOIN_COMMAND_FILE\"\n";

    @ParameterizedTest
    @MethodSource("runners")
    void aResultFileComesBackApartFromTheOutputAndIsRemoved(ScriptRunner runner) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        StepRequest request = new StepRequest(script(COPY + "printf 'x' > \"$EMPTY_UNLESS_WRITTEN\"\n"), Map.of(),
                Map.of("SOURCE", SECRET.getBytes(StandardCharsets.UTF_8)), Set.of("JOIN_COMMAND_FILE", "EMPTY_UNLESS_WRITTEN", "UNTOUCHED"));
        try (runner) {
            CollectedRun run = runner.runAndCollect(request, (node, stream, text) -> lines.add(text), Duration.ofSeconds(30), Cancellation.none());
            assertTrue(run.result().succeeded(), run.toString() + lines);
            assertArrayEquals(SECRET.getBytes(StandardCharsets.UTF_8), run.file("JOIN_COMMAND_FILE"));
            assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), run.file("EMPTY_UNLESS_WRITTEN"));
            assertEquals(0, run.file("UNTOUCHED").length);
            assertFalse(run.toString().contains("0123456789abcdef"), run.toString());
            run.clear();
            assertArrayEquals(new byte[SECRET.length()], run.file("JOIN_COMMAND_FILE"));
        }
        String path = lines.stream().filter(l -> l.startsWith("path ")).findFirst().orElseThrow().substring(5);
        assertTrue(lines.contains("mode 600"), lines.toString());
        assertFalse(Files.exists(Path.of(path).getParent()), "result folder left behind: " + path);
        assertTrue(lines.stream().noneMatch(l -> l.contains("0123456789abcdef")), lines.toString());
    }

    @ParameterizedTest
    @MethodSource("runners")
    void aFailedStepsResultFilesAreCollectedAndRemovedToo(ScriptRunner runner) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        StepRequest request = new StepRequest(script(COPY + "exit 4\n"), Map.of(), Map.of("SOURCE", SECRET.getBytes(StandardCharsets.UTF_8)),
                Set.of("JOIN_COMMAND_FILE"));
        try (runner) {
            CollectedRun run = runner.runAndCollect(request, (node, stream, text) -> lines.add(text), Duration.ofSeconds(30), Cancellation.none());
            assertEquals(4, run.result().exitStatus());
            assertArrayEquals(SECRET.getBytes(StandardCharsets.UTF_8), run.file("JOIN_COMMAND_FILE"));
        }
        String path = lines.stream().filter(l -> l.startsWith("path ")).findFirst().orElseThrow().substring(5);
        assertFalse(Files.exists(Path.of(path).getParent()), "result folder left behind: " + path);
    }

    @ParameterizedTest
    @MethodSource("runners")
    void runWithResultFilesCollectsThemSoThatNothingStaysBehind(ScriptRunner runner) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        StepRequest request = new StepRequest(script(COPY), Map.of(), Map.of("SOURCE", SECRET.getBytes(StandardCharsets.UTF_8)),
                Set.of("JOIN_COMMAND_FILE"));
        try (runner) {
            assertTrue(runner.run(request, (node, stream, text) -> lines.add(text), Duration.ofSeconds(30), Cancellation.none()).succeeded());
        }
        String path = lines.stream().filter(l -> l.startsWith("path ")).findFirst().orElseThrow().substring(5);
        assertFalse(Files.exists(Path.of(path).getParent()), "result folder left behind: " + path);
    }

    @Test
    void aRequestNamesEachFileOnce() {
        assertThrows(IllegalArgumentException.class, () -> new StepRequest(script("true\n"), Map.of("OUT", "x"), Map.of(), Set.of("OUT")));
        assertThrows(IllegalArgumentException.class, () -> new StepRequest(script("true\n"), Map.of(), Map.of("OUT", new byte[0]), Set.of("OUT")));
        assertThrows(IllegalArgumentException.class, () -> new StepRequest(script("true\n"), Map.of(), Map.of(), Set.of("bad name")));
    }

    @Test
    void aMalformedOrUnexpectedPayloadIsRefused() throws IOException {
        Set<String> expected = Set.of("A");
        assertEquals(0, ResultFiles.parse(new byte[0], expected).get("A").length);
        assertArrayEquals("hi".getBytes(StandardCharsets.US_ASCII),
                ResultFiles.parse("A\u00002\u0000hi".getBytes(StandardCharsets.US_ASCII), expected).get("A"));
        assertThrows(IOException.class, () -> ResultFiles.parse("B\u00002\u0000hi".getBytes(StandardCharsets.US_ASCII), expected));
        assertThrows(IOException.class, () -> ResultFiles.parse("A\u00009\u0000hi".getBytes(StandardCharsets.US_ASCII), expected));
        assertThrows(IOException.class, () -> ResultFiles.parse("A\u0000x\u0000hi".getBytes(StandardCharsets.US_ASCII), expected));
        assertThrows(IOException.class, () -> ResultFiles.parse("A".getBytes(StandardCharsets.US_ASCII), expected));
    }

    @Test
    void aRunnerWithoutSupportRefusesResultFiles() {
        ScriptRunner plain = new ScriptRunner() {
            @Override
            public String nodeName() {
                return "n";
            }

            @Override
            public ExecResult run(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) {
                return new ExecResult(0, ExecResult.Outcome.COMPLETED, Duration.ZERO);
            }
        };
        assertThrows(UnsupportedOperationException.class, () -> plain.runAndCollect(
                new StepRequest(script("true\n"), Map.of(), Map.of(), Set.of("OUT")), LineSink.NONE, Duration.ofSeconds(1), Cancellation.none()));
    }
}
