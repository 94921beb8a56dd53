package io.jenkins.plugins.kubeadm;

import hudson.model.Computer;
import io.jenkins.plugins.kubeadm.agents.ClusterWork;
import io.jenkins.plugins.kubeadm.agents.NodeRunners;
import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jvnet.hudson.test.JenkinsRule;

/**
 * Puts a {@link StandInNode} behind every agent of a test. A test class declares a nested
 * {@code @TestExtension public static class Nodes extends StandInNodes {}} and finds the nodes with
 * {@link #node(String)}.
 */
public abstract class StandInNodes extends NodeRunners {

    private static final Map<String, StandInNode> NODES = new ConcurrentHashMap<>();
    private static final Map<String, NodeTarget> TARGETS = new ConcurrentHashMap<>();

    @Override
    public ScriptRunner runnerFor(String nodeName, Computer computer) {
        return node(nodeName);
    }

    /**
     * A node of an inventory is its name's stand-in too; the target (address, login, key, host key
     * policy) the step built from the inventory and the credentials is kept for the test to check.
     */
    @Override
    public ScriptRunner runnerForTarget(NodeTarget target, Computer from) {
        TARGETS.put(target.name(), target);
        return node(target.name());
    }

    /** The SSH target a step built for this inventory node, or null. */
    public static NodeTarget target(String nodeName) {
        return TARGETS.get(nodeName);
    }

    /** A cluster step's work is recorded by the control plane's stand-in instead of reaching an API server. */
    @Override
    public String runClusterWork(String nodeName, Computer computer, ClusterWork work, OutputStream progress) throws IOException {
        node(nodeName).clusterWork().add(work);
        progress.write(("stand-in API server took " + work.getClass().getSimpleName() + "\n").getBytes(StandardCharsets.UTF_8));
        if (node(nodeName).clusterWorkReply != null) {
            return NodeRunners.checkedSummary(nodeName, node(nodeName).clusterWorkReply.apply(work), work.maxReplyChars());
        }
        return "stand-in cluster work on " + nodeName + ": " + work;
    }

    /**
     * A cluster step's work on the agent of its node block is recorded by the stand-in of the inventory's
     * control plane (or of "kubeconfig" for a kubeconfig credential), naming the agent it ran on.
     */
    @Override
    public String runClusterWorkOn(Computer from, NodeTarget controlPlane, ClusterWork work, OutputStream progress) throws IOException {
        String name = controlPlane != null ? controlPlane.name() : "kubeconfig";
        node(name).clusterWork().add(work);
        progress.write(("stand-in API server took " + work.getClass().getSimpleName() + " from the agent " + from.getName() + "\n")
                .getBytes(StandardCharsets.UTF_8));
        return "stand-in cluster work on " + name + " from the agent " + from.getName() + ": " + work;
    }

    /** The stand-in of an agent, made on first use; the same one for the whole test. */
    public static StandInNode node(String nodeName) {
        return NODES.computeIfAbsent(nodeName, n -> new StandInNode(n, NODES.size()));
    }

    /** Forgets every stand-in (call from the test's @Before). */
    public static void reset() {
        NODES.clear();
        TARGETS.clear();
    }

    /**
     * Fresh stand-ins and online agents for them: cp1 labelled k8s-control-plane and the given workers
     * labelled k8s-worker, as a lab's agents are.
     */
    public static void labAgents(JenkinsRule j, String... workers) throws Exception {
        reset();
        j.waitOnline(j.createSlave("cp1", "k8s-control-plane", null));
        for (String worker : workers) {
            j.waitOnline(j.createSlave(worker, "k8s-worker", null));
        }
    }
}
