package io.jenkins.plugins.kubeadm;

import hudson.model.Computer;
import io.jenkins.plugins.kubeadm.agents.NodeRunners;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Puts a {@link StandInNode} behind every agent of a test. A test class declares a nested
 * {@code @TestExtension public static class Nodes extends StandInNodes {}} and finds the nodes with
 * {@link #node(String)}.
 */
public abstract class StandInNodes extends NodeRunners {

    private static final Map<String, StandInNode> NODES = new ConcurrentHashMap<>();

    @Override
    public ScriptRunner runnerFor(String nodeName, Computer computer) {
        return node(nodeName);
    }

    /** The stand-in of an agent, made on first use; the same one for the whole test. */
    public static StandInNode node(String nodeName) {
        return NODES.computeIfAbsent(nodeName, n -> new StandInNode(n, NODES.size()));
    }

    /** Forgets every stand-in (call from the test's @Before). */
    public static void reset() {
        NODES.clear();
    }
}
