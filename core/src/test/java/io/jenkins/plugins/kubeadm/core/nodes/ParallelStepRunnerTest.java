package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.LocalScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.exec.StepScript;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelStepRunnerTest {

    @TempDir
    Path dir;

    static StepScript script(String body) {
        return new StepScript("toy-step.sh", ("#!/usr/bin/env bash\nset -euo pipefail\n. \"$(dirname \"${BASH_SOURCE[0]}\")/lib/common.sh\"\n" + body)
                .getBytes(StandardCharsets.UTF_8), StepScript.load("prepare-node.sh").commonLibrary());
    }

    @Test
    void nodesRunAtTheSameTimeAndOneFailureStopsNoOther() {
        // Each node waits until all three have started: only a parallel run can finish.
        String body = "touch \"$BARRIER/$NODE\"\nfor _ in $(seq 100); do [ \"$(ls \"$BARRIER\" | wc -l)\" -ge 3 ] && break; sleep 0.1; done\n"
                + "[ \"$(ls \"$BARRIER\" | wc -l)\" -ge 3 ] || die \"ran alone\"\n"
                + "if [ \"$NODE\" = node2 ]; then die \"disk full on $NODE\"; fi\nlog \"done on $NODE\"\n";
        StepScript script = script(body);
        List<ScriptRunner> runners = List.of(new LocalScriptRunner("node1"), new LocalScriptRunner("node2"), new LocalScriptRunner("node3"));
        List<String> lines = new CopyOnWriteArrayList<>();
        List<NodeStepResult> results = ParallelStepRunner.run(runners,
                node -> StepRequest.of(script, Map.of("NODE", node, "BARRIER", dir.toString())),
                (node, stream, text) -> lines.add(node + " " + text), Duration.ofSeconds(60), Cancellation.none());
        assertEquals(List.of("node1", "node2", "node3"), results.stream().map(NodeStepResult::node).toList());
        assertTrue(results.get(0).succeeded());
        assertEquals(1, results.get(1).result().exitStatus());
        assertTrue(results.get(2).succeeded());
        assertTrue(lines.contains("node3 ==> done on node3"), lines.toString());
        ParallelStepRunner.StepFailedException e = assertThrows(ParallelStepRunner.StepFailedException.class,
                () -> ParallelStepRunner.requireSuccess("prepareNode", results));
        assertEquals("prepareNode failed on 1 node(s): node2: exit 1: ERROR: disk full on node2", e.getMessage());
    }

    @Test
    void aSecretInTheLastErrorLineIsMaskedBeforeItReachesTheExceptionMessage() {
        io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor redactor = new io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor();
        String token = io.jenkins.plugins.kubeadm.core.secrets.JoinSecrets.newBootstrapToken();
        redactor.addAll(io.jenkins.plugins.kubeadm.core.secrets.JoinSecrets.tokenRedactionForms(token));
        List<String> lines = new CopyOnWriteArrayList<>();
        List<NodeStepResult> results = ParallelStepRunner.run(List.of(new LocalScriptRunner("node1")),
                node -> StepRequest.of(script("die \"kubeadm refused token $T\"\n"), Map.of("T", token)),
                (node, stream, text) -> lines.add(text), Duration.ofSeconds(30), Cancellation.none(), redactor::redact);
        ParallelStepRunner.StepFailedException e = assertThrows(ParallelStepRunner.StepFailedException.class,
                () -> ParallelStepRunner.requireSuccess("joinWorkers", results));
        assertTrue(e.getMessage().contains("kubeadm refused token"), e.getMessage());
        assertTrue(!e.getMessage().contains(token) && !e.getMessage().contains(token.substring(7)), e.getMessage());
        assertTrue(lines.stream().noneMatch(l -> l.contains(token.substring(7))), lines.toString());
    }

    @Test
    void aNodeThatCannotBeReachedIsReportedByName() {
        ScriptRunner unreachable = new ScriptRunner() {
            @Override
            public String nodeName() {
                return "nuc09";
            }

            @Override
            public ExecResult run(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) throws IOException {
                throw new IOException("nuc09: SSH login as root@192.0.2.9:22 failed: connection refused");
            }
        };
        List<NodeStepResult> results = ParallelStepRunner.run(List.of(unreachable), node -> StepRequest.of(script("true\n"), Map.of()),
                LineSink.NONE, Duration.ofSeconds(5), Cancellation.none());
        assertEquals("nuc09: nuc09: SSH login as root@192.0.2.9:22 failed: connection refused", results.get(0).describe());
    }

    @Test
    void theSharedLibraryTravelsWithEveryScript() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (LocalScriptRunner runner = new LocalScriptRunner("local")) {
            ExecResult r = runner.run(StepRequest.of(StepScript.load("prepare-node.sh"), Map.of()),
                    (node, stream, text) -> lines.add(text), Duration.ofSeconds(30), Cancellation.none());
            assertEquals(1, r.exitStatus());
        }
        assertTrue(lines.contains("ERROR: NODE_ROLE is required (accepted: control-plane | worker)"), lines.toString());
        assertTrue(Files.exists(dir));
    }
}
