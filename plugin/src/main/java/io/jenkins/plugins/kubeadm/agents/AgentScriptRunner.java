package io.jenkins.plugins.kubeadm.agents;

import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.CollectedRun;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.LineSplitter;
import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;

/**
 * core's {@link ScriptRunner} for a Jenkins agent: the script runs on the agent's own machine (the
 * node it stands for) over the agent's remoting channel, or on a node of an inventory over SSH from
 * that agent. Cancelling interrupts the call, which
 * remoting forwards to the agent, where the script's process group is stopped.
 */
public final class AgentScriptRunner implements ScriptRunner {

    private final String nodeName;
    private final NodeTarget target;
    private final VirtualChannel channel;

    public AgentScriptRunner(String nodeName, VirtualChannel channel) {
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.target = null;
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    /** Runs the scripts on {@code target} over SSH from the agent behind {@code channel}. */
    public AgentScriptRunner(NodeTarget target, VirtualChannel channel) {
        this.nodeName = target.name();
        this.target = target;
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public ExecResult run(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) throws IOException {
        CollectedRun run = runAndCollect(request, sink, timeout, cancellation);
        run.clear();
        return run.result();
    }

    @Override
    public CollectedRun runAndCollect(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation)
            throws IOException {
        Thread caller = Thread.currentThread();
        Runnable interrupt = caller::interrupt;
        cancellation.onCancel(interrupt);
        // The agent's output is bounded here, on the controller: past the limits the call is interrupted, which
        // remoting forwards to the agent, where the script stops.
        LineSplitter out = LineSink.boundedLines(sink, nodeName, LineSink.Stream.STDOUT, interrupt);
        LineSplitter err = LineSink.boundedLines(sink, nodeName, LineSink.Stream.STDERR, interrupt);
        try (out; err) {
            AgentRunResult result = channel.call(new RunScriptOnAgent(nodeName, target, request, timeout, out, err));
            refuseOversizeOutput(out, err);
            return result.checked(nodeName, request.resultFiles());
        } catch (InterruptedException e) {
            refuseOversizeOutput(out, err);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("the step on " + nodeName + " was stopped");
        } finally {
            cancellation.remove(interrupt);
        }
    }

    private static void refuseOversizeOutput(LineSplitter out, LineSplitter err) throws IOException {
        String refused = out.violation() != null ? out.violation() : err.violation();
        if (refused != null) {
            Thread.interrupted(); // the interrupt was ours, to stop the call
            throw new IOException(refused);
        }
    }
}
