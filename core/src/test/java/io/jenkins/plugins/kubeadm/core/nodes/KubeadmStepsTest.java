package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.CollectedRun;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster run's plumbing, with nodes that act out what the scripts print and write. */
class KubeadmStepsTest {

    static final String HASH = "sha256:" + "ab".repeat(32);
    static final String OTHER_HASH = "sha256:" + "cd".repeat(32);
    static final String ENDPOINT = "10.0.0.11:6443";

    @TempDir
    Path outputDir;
    final List<String> console = new CopyOnWriteArrayList<>();
    final Map<String, String> receivedJoinCommands = new ConcurrentHashMap<>();

    interface Behaviour {
        int run(StepRequest request, LineSink out, Map<String, byte[]> resultFiles) throws IOException;
    }

    /** A node that runs a behaviour instead of the script. */
    record FakeNode(String nodeName, Behaviour behaviour) implements ScriptRunner {
        @Override
        public ExecResult run(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) throws IOException {
            return runAndCollect(request, sink, timeout, cancellation).result();
        }

        @Override
        public CollectedRun runAndCollect(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) throws IOException {
            Map<String, byte[]> files = new LinkedHashMap<>();
            request.resultFiles().forEach(name -> files.put(name, new byte[0]));
            LineSink out = (node, stream, text) -> sink.line(nodeName, stream, text);
            int status = behaviour.run(request, out, files);
            return new CollectedRun(new ExecResult(status, ExecResult.Outcome.COMPLETED, Duration.ofMillis(5)), files);
        }
    }

    static String tokenOf(StepRequest request) {
        return new String(request.privateFiles().get(KubeadmSteps.JOIN_TOKEN_FILE), StandardCharsets.US_ASCII).trim();
    }

    /** A control plane that prints its token the way kubeadm does, then writes the join command file. */
    /** The environments of the token deletions the fake control planes received. */
    static final List<Map<String, String>> tokenDeletions = new CopyOnWriteArrayList<>();

    static FakeNode controlPlane(String joinToken) {
        return new FakeNode("cp1", (request, out, files) -> {
            if (request.script().fileName().equals("delete-join-token.sh")) {
                tokenDeletions.add(request.environment());
                out.line("cp1", LineSink.Stream.STDOUT, "KUBEADM_TOKEN_DELETE_RESULT state=deleted token_id="
                        + request.environment().get("JOIN_TOKEN_ID"));
                return 0;
            }
            assertEquals(Map.of("POD_NETWORK_CIDR", "10.244.0.0/16", "SERVICE_CIDR", "10.96.0.0/12", "JOIN_TOKEN_TTL", "30m",
                    "CONTROL_PLANE_SCHEDULABLE", "false"), request.environment());
            String token = joinToken != null ? joinToken : tokenOf(request);
            out.line("cp1", LineSink.Stream.STDOUT, "[bootstrap-token] Using token: " + token);
            files.put(KubeadmSteps.JOIN_COMMAND_FILE, ("kubeadm join " + ENDPOINT + " --token " + token
                    + " --discovery-token-ca-cert-hash " + HASH + "\n").getBytes(StandardCharsets.UTF_8));
            out.line("cp1", LineSink.Stream.STDOUT, "KUBEADM_INIT_RESULT state=initialized endpoint=" + ENDPOINT + " ca_cert_hash=" + HASH
                    + " kubernetes_version=v1.34.1 token_id=" + token.substring(0, 6));
            return 0;
        });
    }

    FakeNode worker(String name, String reportedHash) {
        return new FakeNode(name, (request, out, files) -> {
            String command = new String(request.privateFiles().get(KubeadmSteps.JOIN_COMMAND_FILE), StandardCharsets.UTF_8);
            receivedJoinCommands.put(name, command);
            assertEquals(Map.of("JOIN_DISCOVERY_TIMEOUT", "60s"), request.environment());
            out.line(name, LineSink.Stream.STDOUT, "joining with " + command.trim());
            out.line(name, LineSink.Stream.STDOUT, "KUBEADM_JOIN_RESULT state=joined endpoint=" + ENDPOINT + " ca_cert_hash=" + reportedHash
                    + " control_plane=false");
            return 0;
        });
    }

    static FakeNode failing(String name, String error) {
        return new FakeNode(name, (request, out, files) -> {
            out.line(name, LineSink.Stream.STDOUT, "==> kubeadm join " + ENDPOINT);
            out.line(name, LineSink.Stream.STDERR, "ERROR: " + error);
            out.line(name, LineSink.Stream.STDOUT, "==> diagnostics");
            out.line(name, LineSink.Stream.STDOUT, "--- kubelet journal (last 60 lines)");
            out.line(name, LineSink.Stream.STDOUT, "    kubelet: failed to load kubelet config file");
            return 1;
        });
    }

    KubeadmSteps steps(SecretRedactor redactor) {
        return new KubeadmSteps(new StepLogs(outputDir, redactor), (node, stream, text) -> console.add(node + " " + text),
                Duration.ofMinutes(1), Cancellation.none());
    }

    @Test
    void initThenJoinHandsTheJoinCommandOnInMemoryOnlyAndEveryLogIsRedacted() throws IOException {
        tokenDeletions.clear();
        SecretRedactor redactor = new SecretRedactor();
        ClusterFixture.ClusterResult cluster = ClusterFixture.buildCluster(steps(redactor), controlPlane(null),
                List.of(worker("worker1", HASH), worker("worker2", HASH)), KubeadmInitParams.defaults());

        String token = cluster.controlPlane().joinCommand().token();
        assertTrue(cluster.controlPlane().initialized());
        assertEquals(ENDPOINT, cluster.controlPlane().apiServerEndpoint());
        assertEquals(List.of("worker1", "worker2"), cluster.workers().stream().map(KubeadmSteps.JoinResult::node).toList());
        assertTrue(cluster.workers().stream().allMatch(w -> w.joined() && w.caCertHash().equals(HASH) && w.apiServerEndpoint().equals(ENDPOINT)));
        for (String worker : List.of("worker1", "worker2")) {
            assertEquals("kubeadm join " + ENDPOINT + " --token " + token + " --discovery-token-ca-cert-hash " + HASH + "\n",
                    receivedJoinCommands.get(worker));
        }
        assertTrue(redactor.isRegistered(token) && redactor.isRegistered(token.substring(7)));
        assertTrue(Files.readString(log("cp1", "01-kubeadm-init.log")).contains("succeeded"));
        assertTrue(Files.readString(log("worker2", "01-kubeadm-join.log")).contains("succeeded"));
        assertEquals(List.of(), filesContaining(token.substring(7)));
        assertTrue(console.stream().noneMatch(line -> line.contains(token.substring(7))), console.toString());
        assertTrue(console.contains("cp1 [bootstrap-token] Using token: ****"), console.toString());
        assertFalse(cluster.toString().contains(token.substring(7)), "results print redacted");
        // After the joins the token is deleted on the control plane; only its public id travels.
        assertTrue(cluster.tokenDeleted());
        assertEquals(List.of(Map.of("JOIN_TOKEN_ID", token.substring(0, 6))), tokenDeletions);
        assertTrue(Files.readString(log("cp1", "02-delete-join-token.log")).contains("join token " + token.substring(0, 6) + " deleted"));
        assertTrue(console.stream().anyMatch(l -> l.startsWith("cp1 join token " + token.substring(0, 6) + " deleted")), console.toString());
    }

    @Test
    void deleteJoinTokenRefusesAWholeTokenWithoutShowingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> steps(new SecretRedactor()).deleteJoinToken(controlPlane(null), "abcdef.0123456789abcdef"));
        assertFalse(e.getMessage().contains("0123456789abcdef"), e.getMessage());
    }

    @Test
    void aFailedInitNamesTheNodeAndItsLogEndsWithTheDiagnostics() throws IOException {
        FakeNode cp = new FakeNode("cp1", (request, out, files) -> {
            out.line("cp1", LineSink.Stream.STDERR, "ERROR: kubeadm init failed: error execution phase preflight: [ERROR Swap]");
            out.line("cp1", LineSink.Stream.STDOUT, "==> diagnostics");
            out.line("cp1", LineSink.Stream.STDOUT, "--- kubeadm output at --v=5");
            out.line("cp1", LineSink.Stream.STDOUT, "    I1121 preflight.go:1] running with swap on " + tokenOf(request));
            return 1;
        });
        ParallelStepRunner.StepFailedException e = assertThrows(ParallelStepRunner.StepFailedException.class,
                () -> steps(new SecretRedactor()).kubeadmInit(cp, KubeadmInitParams.defaults()));
        assertTrue(e.getMessage().startsWith("kubeadmInit failed on 1 node(s): cp1: exit 1: ERROR: kubeadm init failed"), e.getMessage());
        String log = Files.readString(log("cp1", "01-kubeadm-init.log"));
        int failed = log.indexOf("FAILED: cp1: exit 1: ERROR: kubeadm init failed");
        assertTrue(failed > 0, log);
        assertTrue(log.indexOf("--- kubeadm output at --v=5") > failed, "the diagnostics come after the failure:\n" + log);
        assertTrue(log.trim().endsWith("running with swap on ****"), log);
        assertTrue(console.contains("cp1 --- kubeadm output at --v=5"), "diagnostics reach the console too");
    }

    @Test
    void aJoinCommandWithAnotherTokenOrNoneIsRefused() {
        ParallelStepRunner.StepFailedException other = assertThrows(ParallelStepRunner.StepFailedException.class,
                () -> steps(new SecretRedactor()).kubeadmInit(controlPlane("zzzzzz.0123456789abcdef"), KubeadmInitParams.defaults()));
        assertTrue(other.getMessage().contains("does not carry the token this run created"), other.getMessage());
        assertFalse(other.getMessage().contains("0123456789abcdef"), other.getMessage());

        FakeNode silent = new FakeNode("cp1", (request, out, files) -> 0);
        ParallelStepRunner.StepFailedException none = assertThrows(ParallelStepRunner.StepFailedException.class,
                () -> steps(new SecretRedactor()).kubeadmInit(silent, KubeadmInitParams.defaults()));
        assertTrue(none.getMessage().contains("no usable join command came back: no 'kubeadm join' command found"), none.getMessage());
    }

    @Test
    void workerFailuresAreListedByNodeAndTheOthersStillJoin() throws IOException {
        SecretRedactor redactor = new SecretRedactor();
        KubeadmSteps steps = steps(redactor);
        KubeadmSteps.InitResult init = steps.kubeadmInit(controlPlane(null), KubeadmInitParams.defaults());
        ParallelStepRunner.StepFailedException e = assertThrows(ParallelStepRunner.StepFailedException.class,
                () -> steps.joinWorkers(List.of(worker("worker1", HASH), failing("worker2", "kubeadm join failed: the token expired"),
                        worker("worker3", OTHER_HASH)), init.joinCommand(), KubeadmSteps.DEFAULT_DISCOVERY_TIMEOUT));
        assertEquals(List.of("worker2", "worker3"), e.failed().stream().map(NodeStepResult::node).toList());
        assertTrue(e.getMessage().contains("worker2: exit 1: ERROR: kubeadm join failed: the token expired"), e.getMessage());
        assertTrue(e.getMessage().contains("worker3: joined another control plane: it trusts CA " + OTHER_HASH), e.getMessage());
        assertTrue(Files.readString(log("worker1", "01-kubeadm-join.log")).contains("succeeded"));
        String failedLog = Files.readString(log("worker2", "01-kubeadm-join.log"));
        assertTrue(failedLog.trim().endsWith("kubelet: failed to load kubelet config file"), failedLog);
        assertEquals(List.of(), filesContaining(init.joinCommand().token().substring(7)));
    }

    @Test
    void resetLogsEachNode() throws IOException {
        FakeNode a = new FakeNode("cp1", (request, out, files) -> {
            assertTrue(new String(request.script().content(), StandardCharsets.UTF_8).contains("resetNode"));
            out.line("cp1", LineSink.Stream.STDOUT, "==> node reset");
            return 0;
        });
        FakeNode b = failing("worker1", "iptables-restore could not remove the chains of table nat");
        ParallelStepRunner.StepFailedException e = assertThrows(ParallelStepRunner.StepFailedException.class,
                () -> steps(new SecretRedactor()).resetNodes(List.of(a, b)));
        assertEquals(List.of("worker1"), e.failed().stream().map(NodeStepResult::node).toList());
        assertTrue(Files.readString(log("cp1", "01-reset-node.log")).contains("succeeded"));
    }

    @Test
    void joinWorkersTakesAWorkerJoinCommandAndASaneDiscoveryTimeout() {
        KubeadmSteps steps = steps(new SecretRedactor());
        JoinCommand worker = JoinCommand.of(ENDPOINT, "abcdef.0123456789abcdef", List.of(HASH));
        JoinCommand controlPlane = JoinCommand.ofControlPlane(ENDPOINT, "abcdef.0123456789abcdef", List.of(HASH), null);
        assertThrows(IllegalArgumentException.class, () -> steps.joinWorkers(List.of(), controlPlane, KubeadmSteps.DEFAULT_DISCOVERY_TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> steps.joinWorkers(List.of(), worker, Duration.ofHours(2)));
        assertThrows(IllegalArgumentException.class, () -> steps.joinWorkers(List.of(), worker, Duration.ZERO));
    }

    @Test
    void resultLinesAreParsedByMarker() {
        assertEquals(Map.of("state", "joined", "endpoint", ENDPOINT), KubeadmSteps.parseResultLine("KUBEADM_JOIN_RESULT",
                "KUBEADM_JOIN_RESULT state=joined  endpoint=" + ENDPOINT + " junk"));
        assertEquals(Map.of(), KubeadmSteps.parseResultLine("KUBEADM_JOIN_RESULT", "KUBEADM_INIT_RESULT state=joined"));
        assertEquals(Map.of(), KubeadmSteps.parseResultLine(null, "KUBEADM_JOIN_RESULT state=joined"));
    }

    Path log(String node, String file) {
        return outputDir.resolve(StepLogs.DIRECTORY).resolve(node).resolve(file);
    }

    List<Path> filesContaining(String secret) throws IOException {
        List<Path> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(outputDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (Files.readString(f).contains(secret)) {
                    hits.add(f);
                }
            }
        }
        return hits;
    }
}
