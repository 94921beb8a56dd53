package io.jenkins.plugins.kubeadm.agents;

import hudson.AbortException;
import hudson.model.Computer;
import hudson.model.Label;
import hudson.model.Node;
import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.params.Defaults;
import io.jenkins.plugins.kubeadm.security.BuildAccess;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import jenkins.model.Jenkins;

/**
 * Which agents a node step runs on: every online agent with a label (the fan-out form), or the agent
 * the step already runs on inside {@code node('...') { }}. One agent stands for one cluster node.
 */
public final class NodeAgents {

    /** The label that marks an agent as the control plane; prepareNode's default role comes from it. */
    public static final String CONTROL_PLANE_LABEL = Defaults.CONTROL_PLANE_LABEL;

    private NodeAgents() {
    }

    /**
     * @param label    a label expression, or null for the current agent
     * @param current  the agent the step runs on (null outside a node block)
     * @param stepName for error messages
     * @param access   admits the agents for the build (permission, settings) and takes them from other steps
     * @throws AbortException when nothing matches, an agent is offline or the build may not use it, naming them
     */
    public static List<ScriptRunner> select(String label, Computer current, String stepName, BuildAccess access) throws IOException {
        List<Computer> computers = computers(label, current, stepName);
        access.admitAgents(computers);
        List<ScriptRunner> runners = new ArrayList<>();
        for (Computer computer : computers) {
            runners.add(NodeRunners.forAgent(nameOf(computer), computer, computer.getChannel()));
        }
        return runners;
    }

    /** The online agents of {@link #select}, checked: none offline, at least one. */
    static List<Computer> computers(String label, Computer current, String stepName) throws IOException {
        if (label == null) {
            if (current == null) {
                throw new AbortException(stepName + " runs on the agent of a node('...') { } block, or on every agent with a label:"
                        + " " + stepName + "(label: 'k8s-worker', ...)");
            }
            if (current.getChannel() == null) {
                throw new AbortException(stepName + ": agent " + nameOf(current) + " is offline");
            }
            return List.of(current);
        }
        Label parsed;
        try {
            parsed = Label.parseExpression(label);
        } catch (IllegalArgumentException e) {
            throw new AbortException(stepName + ": label: '" + label + "' is not a label expression (accepted: a label such as"
                    + " k8s-worker, or an expression such as 'k8s-worker && gpu')");
        }
        List<Node> nodes = new ArrayList<>(parsed.getNodes());
        nodes.removeIf(node -> node == Jenkins.get());
        if (nodes.isEmpty()) {
            throw new AbortException(stepName + ": no agent has the label '" + label + "'; give each cluster node's agent a label"
                    + " such as " + CONTROL_PLANE_LABEL + " or k8s-worker");
        }
        nodes.sort(Comparator.comparing(Node::getNodeName));
        List<Computer> computers = new ArrayList<>();
        List<String> offline = new ArrayList<>();
        for (Node node : nodes) {
            Computer computer = node.toComputer();
            if (computer == null || computer.getChannel() == null) {
                offline.add(node.getNodeName());
            } else {
                computers.add(computer);
            }
        }
        if (!offline.isEmpty()) {
            throw new AbortException(stepName + ": these agents with the label '" + label + "' are offline: "
                    + String.join(", ", offline) + " (every node of the cluster must take part; bring them online or remove the label)");
        }
        return computers;
    }

    /**
     * Runs a cluster step's work on a control-plane agent ({@link #admitControlPlane}), next to the
     * admin kubeconfig there.
     */
    public static String runOnControlPlane(String label, String stepName, ClusterWork work, OutputStream progress, BuildAccess access)
            throws IOException, InterruptedException {
        Computer controlPlane = admitControlPlane(label, stepName, access);
        return NodeRunners.clusterWork(nameOf(controlPlane), controlPlane, work, progress);
    }

    /**
     * Runs a cluster step's work on the agent of its node block (the build may use it: the node block has
     * it), with a kubeconfig credential's content or the admin kubeconfig of an inventory's control plane.
     */
    public static String runOnAgent(Computer from, ClusterWork work, OutputStream progress, String kubeconfig, NodeTarget controlPlane,
                                    BuildAccess access) throws IOException, InterruptedException {
        access.requireBuildPermission(from);
        return NodeRunners.clusterWorkOn(from, work, progress, kubeconfig, controlPlane);
    }

    /**
     * The control-plane agent a cluster step runs on, admitted for the build (a step may check it before
     * other work): with several control planes (each holds the admin kubeconfig), the first by name.
     */
    public static Computer admitControlPlane(String label, String stepName, BuildAccess access) throws IOException {
        List<Computer> computers = computers(label, null, stepName);
        Computer first = computers.get(0);
        access.admitAgents(List.of(first));
        return first;
    }

    /** An agent's role: control-plane when it carries the control-plane label, worker otherwise. */
    public static String roleOf(String nodeName) {
        Node node = nodeName.equals(builtInName()) ? Jenkins.get() : Jenkins.get().getNode(nodeName);
        boolean controlPlane = node != null && node.getAssignedLabels().stream().anyMatch(l -> l.getName().equals(CONTROL_PLANE_LABEL));
        return controlPlane ? Inventory.CONTROL_PLANE : Inventory.WORKER;
    }

    private static String nameOf(Computer computer) {
        return computer.getName().isEmpty() ? builtInName() : computer.getName();
    }

    private static String builtInName() {
        return "built-in";
    }
}
