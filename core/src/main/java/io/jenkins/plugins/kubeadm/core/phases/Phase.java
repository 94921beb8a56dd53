package io.jenkins.plugins.kubeadm.core.phases;

import java.util.List;

/**
 * The phases of a cluster build, declared in the one order every entry point runs them: the plugin's
 * kubeadmCluster, Jenkinsfile.example (a test holds its stages to this order), the command-line runner
 * and the tests.
 *
 * <p>The pod network comes after the control plane and before the workers, as kubeadm init's own
 * closing words ("deploy a pod network ... then you can join any number of worker nodes") and the
 * runbooks our users follow have it: the control plane only turns Ready with it, and a worker that
 * joins a cluster with a pod network gets its network pod at once. Reset comes first so last week's
 * cluster cannot leak into this one; the workload proves the cluster serves; the GPU plugin comes
 * after it because it needs a working cluster and only some sites have a GPU node; the checks come
 * last, so they see the cluster every earlier phase made.
 */
public enum Phase {
    RESET("resetNode", "reset-node.sh", Nodes.EVERY_NODE),
    PREPARE("prepareNode", "prepare-node.sh", Nodes.EVERY_NODE),
    RUNTIME("installRuntime", "install-runtime.sh", Nodes.EVERY_NODE),
    CONTROL_PLANE("kubeadmInit", "kubeadm-init.sh", Nodes.CONTROL_PLANE),
    CNI("applyCni", null, Nodes.CLUSTER_API),
    WORKERS("joinWorkers", "kubeadm-join.sh", Nodes.WORKERS, Handoff.JOIN_COMMAND),
    WORKLOAD("deployWorkload", null, Nodes.CLUSTER_API),
    GPU("installGpuPlugin", "gpu-node.sh", Nodes.GPU_NODES),
    VERIFY("verifyCluster", null, Nodes.CLUSTER_API),
    /** Not part of a build: changes a running cluster, alone (see {@link #MAINTENANCE}). */
    REMOVE_NODES("removeNode", "reset-node.sh", Nodes.NAMED, null, false),
    /** Not part of a build: checks (and renews) the control planes' certificates, alone. */
    RENEW_CERTIFICATES("renewCertificates", "renew-certificates.sh", Nodes.CONTROL_PLANE, null, false),
    /** Not part of a build: moves every node to another Kubernetes release, control planes first, alone. */
    UPGRADE("upgradeCluster", "upgrade-node.sh", Nodes.EVERY_NODE, null, false);

    /** What one phase hands those after it, in the run's memory only. */
    public enum Handoff {
        /** The worker join command kubeadm init makes (a secret). */
        JOIN_COMMAND("the join command");

        private final String description;

        Handoff(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }

        /** The phase that makes it. */
        public Phase madeBy() {
            return CONTROL_PLANE;
        }
    }

    /** What a phase works on: NAMED is the nodes a maintenance step is given, e.g. those removeNode removes. */
    public enum Nodes { EVERY_NODE, CONTROL_PLANE, WORKERS, GPU_NODES, CLUSTER_API, NAMED }

    /** Every phase of a cluster build, in the order a build runs them. */
    public static final List<Phase> ORDER = java.util.Arrays.stream(values()).filter(p -> p.build).toList();

    /** The phases that change a running cluster instead of building one; each runs alone. */
    public static final List<Phase> MAINTENANCE = java.util.Arrays.stream(values()).filter(p -> !p.build).toList();

    private final String step;
    private final String script;
    private final Nodes nodes;
    private final Handoff needs;
    private final boolean build;

    Phase(String step, String script, Nodes nodes) {
        this(step, script, nodes, null, true);
    }

    Phase(String step, String script, Nodes nodes, Handoff needs) {
        this(step, script, nodes, needs, true);
    }

    Phase(String step, String script, Nodes nodes, Handoff needs, boolean build) {
        this.step = step;
        this.script = script;
        this.nodes = nodes;
        this.needs = needs;
        this.build = build;
    }

    /** The Pipeline step that runs this phase. */
    public String step() {
        return step;
    }

    /** The node script in resources/kubeadm/scripts/ it runs on nodes; null for a phase that only talks to the API server. */
    public String script() {
        return script;
    }

    public Nodes nodes() {
        return nodes;
    }

    /** What an earlier phase of the same run must hand this one (unless the run is given it); null for nothing. */
    public Handoff needs() {
        return needs;
    }

    /** The phase's name on the command line: {@code control-plane} for CONTROL_PLANE. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The phase of a command-line name. */
    public static Phase ofId(String id) {
        for (Phase phase : ORDER) {
            if (phase.id().equals(id)) {
                return phase;
            }
        }
        throw new io.jenkins.plugins.kubeadm.core.params.ParameterException("--phases", "'" + id + "' is not a phase",
                String.join(", ", ORDER.stream().map(Phase::id).toList()));
    }

    /** The phase a Pipeline step runs. */
    public static Phase ofStep(String step) {
        for (Phase phase : values()) {
            if (phase.step.equals(step)) {
                return phase;
            }
        }
        throw new IllegalArgumentException("no phase runs the step " + step);
    }
}
