package io.jenkins.plugins.kubeadm.agents;

import hudson.AbortException;
import hudson.ExtensionList;
import hudson.ExtensionPoint;
import hudson.model.Computer;
import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import java.io.IOException;
import java.io.OutputStream;
import jenkins.model.Jenkins;

/**
 * How a step reaches the node an agent stands for. Without any extension, the script runs on the
 * agent's own machine over its remoting channel ({@link AgentScriptRunner}); an extension may route
 * an agent elsewhere (the plugin's own tests put stand-in nodes behind their agents).
 */
public abstract class NodeRunners implements ExtensionPoint {

    /** The runner for this agent, or null to leave the agent to the next extension or the default. */
    public abstract ScriptRunner runnerFor(String nodeName, Computer computer);

    /**
     * Runs a cluster step's work for the control-plane agent and returns its summary, or null to leave
     * it to the next extension or the default (the agent itself, {@link ClusterOnAgent}).
     */
    public String runClusterWork(String nodeName, Computer computer, ClusterWork work, OutputStream progress)
            throws IOException, InterruptedException {
        return null;
    }

    /**
     * Runs a cluster step's work on the agent of the step's node block, with a kubeconfig credential or
     * an inventory's control-plane node, and returns its summary, or null to leave it to the next
     * extension or the default ({@link ClusterOnAgent} on that agent).
     */
    public String runClusterWorkOn(Computer from, NodeTarget controlPlane, ClusterWork work, OutputStream progress)
            throws IOException, InterruptedException {
        return null;
    }

    /**
     * The runner for a node of an inventory, reached over SSH from {@code from}, or null to leave it to
     * the next extension or the default.
     */
    public ScriptRunner runnerForTarget(NodeTarget target, Computer from) {
        return null;
    }

    /**
     * How a step reaches a node of an inventory: over SSH from the agent of the enclosing node block
     * (the key crosses the channel inside the call, in memory only), or from the controller without one
     * or in the built-in node's.
     */
    public static ScriptRunner forTarget(NodeTarget target, Computer from) throws AbortException {
        for (NodeRunners extension : ExtensionList.lookup(NodeRunners.class)) {
            ScriptRunner runner = extension.runnerForTarget(target, from);
            if (runner != null) {
                return runner;
            }
        }
        if (isController(from)) {
            return new SshScriptRunner(target);
        }
        VirtualChannel channel = from.getChannel();
        if (channel == null) {
            throw new AbortException("the agent " + from.getDisplayName() + " that would reach " + target.name() + " over SSH is offline");
        }
        return new AgentScriptRunner(target, channel);
    }

    /** No node block, or the built-in node's: the SSH client runs in the controller's own process. */
    public static boolean isController(Computer from) {
        return from == null || from instanceof Jenkins.MasterComputer;
    }

    static String clusterWork(String nodeName, Computer computer, ClusterWork work, OutputStream progress)
            throws IOException, InterruptedException {
        for (NodeRunners extension : ExtensionList.lookup(NodeRunners.class)) {
            String summary = extension.runClusterWork(nodeName, computer, work, progress);
            if (summary != null) {
                return summary;
            }
        }
        VirtualChannel channel = computer.getChannel();
        if (channel == null) {
            throw new AbortException("agent " + nodeName + " went offline");
        }
        return checkedSummary(nodeName, channel.call(new ClusterOnAgent(work, progress)), work.maxReplyChars());
    }

    /**
     * A cluster step's work on the agent of its node block: with {@code kubeconfig} (SECRET; it crosses the
     * channel inside the call), or else with the admin kubeconfig of {@code controlPlane} fetched over
     * SSH from that agent.
     */
    static String clusterWorkOn(Computer from, ClusterWork work, OutputStream progress, String kubeconfig, NodeTarget controlPlane)
            throws IOException, InterruptedException {
        for (NodeRunners extension : ExtensionList.lookup(NodeRunners.class)) {
            String summary = extension.runClusterWorkOn(from, controlPlane, work, progress);
            if (summary != null) {
                return summary;
            }
        }
        VirtualChannel channel = from.getChannel();
        if (channel == null) {
            throw new AbortException("agent " + from.getName() + " went offline");
        }
        return checkedSummary(from.getName(), channel.call(new ClusterOnAgent(work, progress, kubeconfig, controlPlane)),
                work.maxReplyChars());
    }

    /** The most a cluster step's one-line summary from an agent may hold; the controller prints it. */
    static final int MAX_SUMMARY_CHARS = 4096;

    /** The summary an agent sent, as the controller accepts it: one line of at most {@code max} characters. */
    public static String checkedSummary(String nodeName, String summary, int max) throws IOException {
        if (summary == null || summary.length() > max || summary.contains("\n")) {
            throw new IOException(nodeName + " sent a summary that is not one line of at most " + max
                    + " characters; the controller refused its reply");
        }
        return summary;
    }

    static ScriptRunner forAgent(String nodeName, Computer computer, VirtualChannel channel) {
        for (NodeRunners extension : ExtensionList.lookup(NodeRunners.class)) {
            ScriptRunner runner = extension.runnerFor(nodeName, computer);
            if (runner != null) {
                return runner;
            }
        }
        return new AgentScriptRunner(nodeName, channel);
    }
}
