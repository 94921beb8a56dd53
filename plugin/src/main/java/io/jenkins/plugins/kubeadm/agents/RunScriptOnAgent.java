package io.jenkins.plugins.kubeadm.agents;

import hudson.remoting.Channel;
import hudson.remoting.RemoteOutputStream;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.CollectedRun;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.LocalScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.exec.StepScript;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import jenkins.security.MasterToSlaveCallable;

/**
 * Runs one node script on the agent it is sent to, as root (sudo -n for a non-root agent), with
 * core's {@link LocalScriptRunner}; or, given a {@link NodeTarget}, on that node over SSH from the
 * agent with core's {@link SshScriptRunner} (the key travels inside this callable, in memory only). Output lines stream back to the controller as they come; result
 * files (a join command) come back in the return value, in memory only, never through the output.
 * Carries only JDK types and remoting streams across the channel.
 */
final class RunScriptOnAgent extends MasterToSlaveCallable<AgentRunResult, IOException> {

    private static final long serialVersionUID = 1L;

    private final String nodeName;
    /** Null: the script runs on the agent's own machine; else on this node, over SSH from the agent. */
    private final NodeTarget target;
    private final String scriptFileName;
    private final byte[] script;
    private final byte[] commonLibrary;
    private final byte[] defaults;
    private final LinkedHashMap<String, String> environment;
    private final LinkedHashMap<String, byte[]> privateFiles;
    private final ArrayList<String> resultFiles;
    private final long timeoutMillis;
    private final OutputStream stdout;
    private final OutputStream stderr;

    RunScriptOnAgent(String nodeName, NodeTarget target, StepRequest request, Duration timeout, OutputStream stdout,
                     OutputStream stderr) {
        this.nodeName = nodeName;
        this.target = target;
        this.scriptFileName = request.script().fileName();
        this.script = request.script().content();
        this.commonLibrary = request.script().commonLibrary();
        this.defaults = request.script().defaults();
        this.environment = new LinkedHashMap<>(request.environment());
        this.privateFiles = new LinkedHashMap<>(request.privateFiles());
        this.resultFiles = new ArrayList<>(request.resultFiles());
        this.timeoutMillis = timeout.toMillis();
        this.stdout = new RemoteOutputStream(stdout);
        this.stderr = new RemoteOutputStream(stderr);
    }

    @Override
    public AgentRunResult call() throws IOException {
        StepRequest request = new StepRequest(new StepScript(scriptFileName, script, commonLibrary, defaults), environment, privateFiles,
                new LinkedHashSet<>(resultFiles));
        LineSink back = (node, stream, text) -> {
            OutputStream target = stream == LineSink.Stream.STDERR ? stderr : stdout;
            try {
                synchronized (target) {
                    target.write((text + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // the controller went away; the step ends with the channel
            }
        };
        try (ScriptRunner runner = target == null ? LocalScriptRunner.asRoot(nodeName) : new SshScriptRunner(target)) {
            CollectedRun run = runner.runAndCollect(request, back, Duration.ofMillis(timeoutMillis), Cancellation.none());
            return new AgentRunResult(run.result(), new HashMap<>(run.files()));
        } finally {
            privateFiles.values().forEach(content -> Arrays.fill(content, (byte) 0));
            stdout.close();
            stderr.close();
            try {
                // Every output line reaches the controller before the call returns.
                Channel.currentOrFail().syncLocalIO();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
