package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.nodes.NodeIdentity;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the phases of one run share: the nodes, the node steps (fan-out, logs, redaction, time
 * limits), the API server when the run has one, where one-line reports go, and what one phase hands
 * the next: the facts prepareNode learned about each node and the join command kubeadm init made
 * (SECRET: in memory only, its secrets already in the run's redactor).
 */
public final class PhaseContext {

    private final ClusterNodes nodes;
    private final KubeadmSteps steps;
    private final Consumer<String> say;
    private final Supplier<ClusterSteps> cluster;
    private final Map<String, NodeIdentity> identities = new LinkedHashMap<>();
    private final ClusterFacts facts;
    private KubeadmSteps.InitResult init;
    private JoinCommand joinCommand;

    /**
     * @param cluster the API server, asked for only by the phases that need it; null when this run
     *                has none (a node step alone)
     */
    public PhaseContext(ClusterNodes nodes, KubeadmSteps steps, Consumer<String> say, Supplier<ClusterSteps> cluster) {
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.steps = Objects.requireNonNull(steps, "steps");
        this.say = Objects.requireNonNull(say, "say");
        this.cluster = cluster;
        this.facts = new ClusterFacts(steps.logs());
    }

    public ClusterNodes nodes() {
        return nodes;
    }

    public KubeadmSteps steps() {
        return steps;
    }

    /** A one-line report of the run's own (not a node's). */
    public void say(String line) {
        say.accept(line);
    }

    /** The API server, connected on first use. */
    public ClusterSteps cluster() {
        if (cluster == null) {
            throw new IllegalStateException("this run has no connection to the API server");
        }
        return cluster.get();
    }

    /** What prepareNode learned about each node (hostname, address, machine ids), by node name. */
    public Map<String, NodeIdentity> identities() {
        return Map.copyOf(identities);
    }

    void learned(Map<String, NodeIdentity> learned) {
        identities.putAll(learned);
    }

    /** Where the phases record what they learned about the cluster, beside the step logs (a build's cluster page reads it). */
    public ClusterFacts facts() {
        return facts;
    }

    /** The control plane after kubeadm init in this run; null before. */
    public KubeadmSteps.InitResult init() {
        return init;
    }

    void initialized(KubeadmSteps.InitResult result) {
        init = result;
        joinCommand = result.joinCommand();
    }

    /** The worker join command: made by this run's kubeadm init, or handed in (the plugin reads it from its credential). */
    public JoinCommand joinCommand() {
        return joinCommand;
    }

    /** Hands the run a worker join command made earlier; its secrets are registered with the run's redactor by the steps that use it. */
    public PhaseContext withJoinCommand(JoinCommand workerJoinCommand) {
        this.joinCommand = workerJoinCommand.forWorkers();
        return this;
    }
}
