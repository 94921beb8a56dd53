package io.jenkins.plugins.kubeadm.core.logs;

import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepLogsTest {

    private static final String TOKEN = "ubptkc.w4jzuknripa0p3z7";

    @TempDir
    Path outputDir;

    private StepLogs logs() {
        SecretRedactor redactor = new SecretRedactor();
        redactor.add(TOKEN);
        return new StepLogs(outputDir, redactor);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Test
    void stepsInParallelBranchesWithTheirOwnStepLogsNeverShareANumber() throws Exception {
        // Each step of a build has its own StepLogs; parallel branches open logs of one node at once.
        int branches = 8;
        int stepsEach = 25;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(branches);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<List<Integer>>> futures = new java.util.ArrayList<>();
        try {
            for (int b = 0; b < branches; b++) {
                String step = "step-" + b;
                futures.add(pool.submit(() -> {
                    StepLogs own = logs();
                    start.await();
                    List<Integer> numbers = new java.util.ArrayList<>();
                    for (int i = 0; i < stepsEach; i++) {
                        StepLog log = own.open("cp1", step);
                        numbers.add(log.sequence());
                        log.close();
                    }
                    return numbers;
                }));
            }
            start.countDown();
            java.util.Set<Integer> all = new java.util.TreeSet<>();
            for (java.util.concurrent.Future<List<Integer>> f : futures) {
                all.addAll(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertEquals(branches * stepsEach, all.size(), "two steps got one number");
            assertEquals(branches * stepsEach, (int) ((java.util.TreeSet<Integer>) all).last());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void stepsOfEachNodeAreNumberedFromOne() {
        StepLogs logs = logs();
        StepLog prepare = logs.open("cp1", "prepare-node");
        StepLog init = logs.open("cp1", "kubeadm-init");
        StepLog workerPrepare = logs.open("w1", "prepare-node");
        assertEquals(outputDir.resolve("kubeadm-logs/cp1/01-prepare-node.log"), prepare.file());
        assertEquals(outputDir.resolve("kubeadm-logs/cp1/02-kubeadm-init.log"), init.file());
        assertEquals(outputDir.resolve("kubeadm-logs/w1/01-prepare-node.log"), workerPrepare.file());
        assertEquals(2, init.sequence());
        List.of(prepare, init, workerPrepare).forEach(StepLog::close);
    }

    @Test
    void fileExistsAsSoonAsTheStepBegins() {
        StepLog log = logs().open("cp1", "kubeadm-init");
        assertTrue(Files.isRegularFile(log.file()), "created before any output");
        log.close();
    }

    @Test
    void succeededStepEndsWithItsOutcome() throws IOException {
        StepLog log = logs().open("cp1", "prepare-node");
        log.line("swap off");
        log.succeed();
        List<String> lines = read(log.file()).lines().toList();
        assertTrue(lines.get(0).startsWith("== step prepare-node on cp1, started "), lines.get(0));
        assertEquals("swap off", lines.get(1));
        assertEquals("== step prepare-node on cp1 succeeded ==", lines.get(2));
        assertEquals(StepLog.Outcome.SUCCEEDED, log.outcome());
        assertThrows(IllegalStateException.class, () -> log.line("late"));
    }

    @Test
    void failedStepEndsWithItsDiagnosticsRedacted() throws IOException {
        StepLog log = logs().open("w1", "kubeadm-join");
        log.line("[preflight] Running pre-flight checks");
        log.fail("kubeadm join exited with status 1",
                "-- kubelet journal --\nkubelet: unable to load bootstrap kubeconfig, token " + TOKEN + "\n");
        String text = read(log.file());
        assertTrue(text.endsWith("== diagnostics: diagnostics ==\n-- kubelet journal --\n"
                + "kubelet: unable to load bootstrap kubeconfig, token ****\n"), text);
        assertTrue(text.contains("== step kubeadm-join on w1 FAILED: kubeadm join exited with status 1 ==\n"), text);
        assertFalse(text.contains("w4jzuknripa0p3z7"));
        assertEquals(StepLog.Outcome.FAILED, log.outcome());
        assertTrue(log.isClosed());
    }

    @Test
    void severalDiagnosticsSectionsFollowTheFailure() throws IOException {
        StepLog log = logs().open("cp1", "kubeadm-init");
        log.markFailed("timed out after 10m");
        log.appendDiagnostics("kubelet journal", "line a");
        log.appendDiagnostics("containerd status", "active (running)\n");
        log.close();
        List<String> lines = read(log.file()).lines().toList();
        assertEquals(List.of("== step kubeadm-init on cp1 FAILED: timed out after 10m ==",
                "== diagnostics: kubelet journal ==", "line a",
                "== diagnostics: containerd status ==", "active (running)"), lines.subList(1, lines.size()));
    }

    @Test
    void failureWithoutDiagnosticsSaysSo() throws IOException {
        StepLog log = logs().open("cp1", "reset-node");
        log.fail(null, null);
        assertTrue(read(log.file()).endsWith("== diagnostics: diagnostics ==\n(none collected)\n"));
    }

    @Test
    void rawBytesAreRedactedAcrossWrites() throws IOException {
        StepLog log = logs().open("cp1", "kubeadm-init");
        byte[] bytes = ("token " + TOKEN + "\n").getBytes(StandardCharsets.UTF_8);
        log.write(bytes, 0, 12);
        log.outputStream().write(bytes, 12, bytes.length - 12);
        log.close();
        assertTrue(read(log.file()).endsWith("token ****\n"));
    }

    @Test
    void nodeNamesCannotLeaveTheLogsFolder() {
        StepLogs logs = logs();
        for (String node : List.of("../../etc", "..", ".", "/etc/passwd", "a/../../b", "C:\\x", "fe80::1", "node 1", ".hidden", "ノード")) {
            StepLog log = logs.open(node, "prepare-node");
            Path dir = log.file().getParent();
            assertEquals(logs.root(), dir.getParent(), node);
            assertEquals(dir, dir.normalize(), node);
            assertFalse(dir.getFileName().toString().startsWith("."), node);
            assertFalse(dir.getFileName().toString().contains("/"), node);
            log.close();
        }
        assertEquals("192.168.1.10", StepLogs.directoryName("192.168.1.10"));
        assertEquals("fe80__1", StepLogs.directoryName("fe80::1"));
        assertEquals("_._etc", StepLogs.directoryName("../etc"));
        assertThrows(IllegalArgumentException.class, () -> StepLogs.directoryName(""));
        assertThrows(IllegalArgumentException.class, () -> StepLogs.directoryName("x".repeat(101)));
    }

    @Test
    void nodesWhoseFolderNamesCollideAreRefused() {
        StepLogs logs = logs();
        logs.open("a:b", "prepare-node").close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> logs.open("a_b", "prepare-node"));
        assertTrue(e.getMessage().contains("would share the log folder a_b"), e.getMessage());
    }

    @Test
    void stepNamesAreChecked() {
        StepLogs logs = logs();
        for (String step : List.of("", "../x", "Prepare", "a b", "-x", "x/y")) {
            assertThrows(IllegalArgumentException.class, () -> logs.open("cp1", step), step);
        }
    }

    @Test
    void numberingContinuesAfterAnEarlierRunInTheSameFolder() throws IOException {
        StepLog first = logs().open("cp1", "kubeadm-init");
        first.line("first run");
        first.succeed();
        StepLog second = logs().open("cp1", "kubeadm-init");
        second.close();
        assertEquals(outputDir.resolve("kubeadm-logs/cp1/02-kubeadm-init.log"), second.file());
        assertTrue(read(first.file()).contains("first run"), "the earlier log is kept");
    }

    @Test
    void concurrentOpensGetDistinctNumbers() throws Exception {
        StepLogs logs = logs();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<StepLog>> futures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            futures.add(pool.submit(() -> logs.open("cp1", "probe")));
        }
        Set<Integer> numbers = Collections.synchronizedSet(new TreeSet<>());
        for (Future<StepLog> f : futures) {
            StepLog log = f.get(30, TimeUnit.SECONDS);
            numbers.add(log.sequence());
            log.close();
        }
        pool.shutdown();
        assertEquals(IntStream.rangeClosed(1, 40).boxed().collect(Collectors.toSet()), numbers);
    }
}
