package io.jenkins.plugins.kubeadm.agents;

import hudson.AbortException;
import hudson.ExtensionList;
import hudson.ExtensionPoint;
import hudson.model.Computer;
import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import java.io.IOException;
import java.io.OutputStream;

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
        return channel.call(new ClusterOnAgent(work, progress));
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
