package io.jenkins.plugins.kubeadm.agents;

import hudson.slaves.DumbSlave;
import io.jenkins.plugins.kubeadm.core.cluster.VerifyReport;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.CollectedRun;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.exec.StepScript;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import jenkins.security.MasterToSlaveCallable;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.jvnet.hudson.test.JenkinsRule;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** What an agent sends back is checked on the controller, over a real agent channel. */
public class AgentRepliesTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static StepRequest script(String body, Set<String> resultFiles) {
        StepScript script = new StepScript("reply-test.sh", ("#!/usr/bin/env bash\nset -euo pipefail\n" + body).getBytes(StandardCharsets.UTF_8),
                StepScript.load("prepare-node.sh").commonLibrary());
        return new StepRequest(script, Map.of(), Map.of(), resultFiles);
    }

    @Test
    public void anAgentsRunPassesTheChecksWhenItsReplyIsWhatWasAskedFor() throws Exception {
        DumbSlave agent = j.createOnlineSlave();
        List<String> lines = new CopyOnWriteArrayList<>();
        CollectedRun run = new AgentScriptRunner("agent1", agent.getChannel()).runAndCollect(
                script("echo hello\nprintf 'kept' > \"$KEPT_RESULT\"\n", Set.of("KEPT_RESULT")),
                (node, stream, text) -> lines.add(text), Duration.ofMinutes(2), Cancellation.none());
        assertTrue(run.result().succeeded());
        assertEquals("kept", new String(run.file("KEPT_RESULT"), StandardCharsets.UTF_8));
        assertTrue(lines.toString(), lines.contains("hello"));
    }

    @Test
    public void anOversizeLineIsRefusedOnTheControllerAndTheScriptOnTheAgentIsStopped() throws Exception {
        DumbSlave agent = j.createOnlineSlave();
        Path marker = tmp.getRoot().toPath().resolve("still-running");
        List<String> lines = new CopyOnWriteArrayList<>();
        LineSink sink = (node, stream, text) -> lines.add(text);
        StepRequest request = script("echo before\nhead -c 100000 /dev/zero | tr '\\0' x\necho\nsleep 3\ntouch '" + marker + "'\n", Set.of());
        IOException e = assertThrows(IOException.class, () -> new AgentScriptRunner("agent1", agent.getChannel())
                .runAndCollect(request, sink, Duration.ofMinutes(2), Cancellation.none()));
        assertEquals("agent1 sent an output line longer than 65536 bytes; the controller refused the rest of its reply", e.getMessage());
        assertEquals(List.of("before"), lines);
        Thread.sleep(6000);
        assertFalse("the script went on after its reply was refused", Files.exists(marker));
        assertFalse("the interrupt that stopped the call is not left on the step's thread", Thread.currentThread().isInterrupted());
    }

    /** An agent that answers a run with a result file nobody asked for (say, to overwrite something on the controller). */
    static final class LyingAgent extends MasterToSlaveCallable<AgentRunResult, IOException> {
        private static final long serialVersionUID = 1L;

        @Override
        public AgentRunResult call() {
            HashMap<String, byte[]> files = new HashMap<>();
            files.put("JOIN_COMMAND_FILE", "kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef".getBytes(StandardCharsets.UTF_8));
            files.put("/var/lib/jenkins/secrets/master.key", "x".getBytes(StandardCharsets.UTF_8));
            return new AgentRunResult(new ExecResult(0, ExecResult.Outcome.COMPLETED, Duration.ZERO), files);
        }
    }

    @Test
    public void aReplyWithAResultFileTheStepDidNotAskForIsRefusedOnTheController() throws Exception {
        DumbSlave agent = j.createOnlineSlave();
        AgentRunResult reply = agent.getChannel().call(new LyingAgent());
        IOException e = assertThrows(IOException.class, () -> reply.checked("agent1", Set.of("JOIN_COMMAND_FILE")));
        assertEquals("agent1 sent a result file the step did not ask for; the controller refused its reply", e.getMessage());
        assertFalse(reply.toString(), reply.toString().contains("master.key") || reply.toString().contains("0123456789abcdef"));
    }

    @Test
    public void aClusterSummaryIsOneBoundedLine() throws Exception {
        assertEquals("applied flannel", NodeRunners.checkedSummary("cp1", "applied flannel", NodeRunners.MAX_SUMMARY_CHARS));
        for (String bad : new String[] {"x".repeat(NodeRunners.MAX_SUMMARY_CHARS + 1), "one\ntwo", null}) {
            IOException e = assertThrows(IOException.class, () -> NodeRunners.checkedSummary("cp1", bad, NodeRunners.MAX_SUMMARY_CHARS));
            assertEquals("cp1 sent a summary that is not one line of at most 4096 characters; the controller refused its reply", e.getMessage());
        }
        // verifyCluster's report may be longer, and is still bounded (and decoded strictly on the controller).
        String report = "x".repeat(NodeRunners.MAX_SUMMARY_CHARS + 1);
        assertEquals(report, NodeRunners.checkedSummary("cp1", report, VerifyReport.MAX_ENCODED_CHARS));
        assertThrows(IOException.class, () -> NodeRunners.checkedSummary("cp1", "x".repeat(VerifyReport.MAX_ENCODED_CHARS + 1),
                VerifyReport.MAX_ENCODED_CHARS));
    }
}
