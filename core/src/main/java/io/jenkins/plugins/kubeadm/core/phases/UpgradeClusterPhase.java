package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.cluster.ClusterStepException;
import io.jenkins.plugins.kubeadm.core.cluster.UpgradeApi;
import io.jenkins.plugins.kubeadm.core.cluster.UpgradeSurvey;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps.UpgradeStage;
import io.jenkins.plugins.kubeadm.core.params.Defaults;
import io.jenkins.plugins.kubeadm.core.params.KubernetesUpgrade;
import io.jenkins.plugins.kubeadm.core.params.KubernetesUpgrade.Release;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.UpgradeClusterParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * upgradeCluster, as kubeadm's upgrade guide has a person do it, checked first. Before anything
 * changes: each node says which Node it is and whether it is a control plane; the API server says what
 * runs where; the release is held to kubeadm's rules and the skew policy ({@link KubernetesUpgrade});
 * and a server-side dry run of every drain the upgrade needs names what would block it. Then kubeadm's
 * plan on the first control plane, printed. Then the control planes one at a time (kubeadm upgrade
 * apply on the first, upgrade node on the others) and the workers in batches of maxUnavailable (upgrade
 * node): each drained, its kubelet and kubectl moved to the release, restarted, awaited Ready and
 * uncordoned before the next. Nodes already at the release are skipped, so a run that stopped goes on
 * where it stopped; a failure names the node and the stage, and leaves the nodes after it untouched.
 */
public final class UpgradeClusterPhase implements ClusterPhase {

    private final UpgradeClusterParams params;
    private final Function<PhaseContext, UpgradeApi> api;
    private final String where;

    /**
     * @param api   how the API server is reached: null for the run's own connection ({@link PhaseContext#cluster()})
     * @param where the parameter that chose the nodes, as refusals name it (label or inventory)
     */
    public UpgradeClusterPhase(UpgradeClusterParams params, UpgradeApi api, String where) {
        this.params = params;
        this.api = api != null ? context -> api : context -> context.cluster().upgradeApi(Duration.ofSeconds(params.drainTimeoutSeconds()),
                Duration.ofSeconds(Defaults.NODE_READY_TIMEOUT_SECONDS));
        this.where = where;
    }

    @Override
    public Phase phase() {
        return Phase.UPGRADE;
    }

    @Override
    public void run(PhaseContext context) {
        Release target = params.target();
        KubeadmSteps steps = context.steps();
        UpgradeApi cluster = api.apply(context);
        List<ScriptRunner> nodes = context.nodes().all();
        Map<String, KubeadmSteps.NodeDescription> described = steps.describeNodes(nodes);
        List<String> notJoined = described.values().stream().filter(d -> !d.joined()).map(KubeadmSteps.NodeDescription::node).toList();
        if (!notJoined.isEmpty()) {
            throw new ParameterException(where, "has nodes that are not part of a cluster: " + String.join(", ", notJoined)
                    + "; nothing was changed", "nodes that joined the cluster (joinWorkers adds new ones at the cluster's release)");
        }
        UpgradeSurvey survey = cluster.survey();
        List<String> unknown = described.values().stream().filter(d -> survey.node(d.kubernetesName()) == null)
                .map(d -> d.node() + " (" + d.kubernetesName() + ")").toList();
        if (!unknown.isEmpty()) {
            throw new ParameterException(where, "has nodes that are no Node of this cluster: " + String.join(", ", unknown)
                    + "; nothing was changed", "the nodes of one cluster");
        }
        List<String> given = described.values().stream().map(KubeadmSteps.NodeDescription::kubernetesName).toList();
        List<String> others = survey.nodes().stream().map(UpgradeSurvey.NodeState::name).filter(n -> !given.contains(n)).toList();
        if (!others.isEmpty()) {
            context.say("upgradeCluster: the cluster's Nodes " + String.join(", ", others) + " are not among the nodes given and keep"
                    + " their release");
        }
        KubernetesUpgrade.check(target, survey.apiServers(), survey.kubelets());

        List<ScriptRunner> controlPlanes = nodes.stream().filter(n -> described.get(n.nodeName()).controlPlane()).toList();
        if (controlPlanes.isEmpty()) {
            throw new ParameterException(where, "has no control plane; nothing was changed",
                    "the cluster's nodes with its control planes: kubeadm's plan and apply run on the first");
        }
        List<ScriptRunner> workers = nodes.stream().filter(n -> !described.get(n.nodeName()).controlPlane()).toList();
        Function<ScriptRunner, UpgradeSurvey.NodeState> state = n -> survey.node(described.get(n.nodeName()).kubernetesName());
        List<ScriptRunner> pendingPlanes = controlPlanes.stream().filter(n -> !state.apply(n).runs(target)).toList();
        List<ScriptRunner> pendingWorkers = workers.stream().filter(n -> !state.apply(n).runs(target)).toList();
        List<ScriptRunner> done = nodes.stream().filter(n -> state.apply(n).runs(target)).toList();
        context.say("upgradeCluster: to " + target + "; control planes: " + describe(pendingPlanes, state) + "; workers: "
                + describe(pendingWorkers, state) + (done.isEmpty() ? "" : "; already at " + target + ": " + names(done)));
        if (pendingPlanes.isEmpty() && pendingWorkers.isEmpty()) {
            context.say("upgradeCluster: every node runs " + target + " already");
            context.facts().record("kubernetesVersion", "v" + target);
            return;
        }
        List<String> pendingNodes = new ArrayList<>();
        pendingPlanes.forEach(n -> pendingNodes.add(state.apply(n).name()));
        pendingWorkers.forEach(n -> pendingNodes.add(state.apply(n).name()));
        List<String> blockers = cluster.drainBlockers(pendingNodes);
        if (!blockers.isEmpty()) {
            throw new ClusterStepException("upgradeCluster: draining " + String.join(", ", pendingNodes) + " would be blocked, so nothing"
                    + " was changed:\n  " + String.join("\n  ", blockers));
        }
        ScriptRunner first = pendingPlanes.isEmpty() ? controlPlanes.get(0) : pendingPlanes.get(0);
        steps.upgradeNodes(List.of(first), params, UpgradeStage.PLAN);
        if (params.planOnly()) {
            context.say("upgradeCluster: plan only; no node was drained or upgraded (kubeadm on " + first.nodeName() + " has "
                    + target + ", as kubeadm's plan needs)");
            return;
        }
        Rollout rollout = new Rollout(steps, cluster, target, state, done);
        // kubeadm upgrade apply until one control plane runs the release everywhere: one whose API server
        // moved while kubeadm's run stopped later (its add-ons, say) gets apply again, not upgrade node.
        boolean applied = controlPlanes.stream().anyMatch(n -> state.apply(n).runs(target));
        for (ScriptRunner controlPlane : pendingPlanes) {
            rollout.roll(List.of(controlPlane), applied ? UpgradeStage.NODE : UpgradeStage.APPLY, context);
            applied = true;
        }
        for (int i = 0; i < pendingWorkers.size(); i += params.maxUnavailable()) {
            rollout.roll(pendingWorkers.subList(i, Math.min(pendingWorkers.size(), i + params.maxUnavailable())), UpgradeStage.NODE, context);
        }
        context.facts().record("kubernetesVersion", "v" + target);
        context.say("upgradeCluster: every node runs " + target);
    }

    /** The roll-out's progress, so a failure can say what is done and what is not. */
    private final class Rollout {
        private final KubeadmSteps steps;
        private final UpgradeApi cluster;
        private final Release target;
        private final Function<ScriptRunner, UpgradeSurvey.NodeState> state;
        private final List<ScriptRunner> upgraded;

        Rollout(KubeadmSteps steps, UpgradeApi cluster, Release target, Function<ScriptRunner, UpgradeSurvey.NodeState> state,
                List<ScriptRunner> done) {
            this.steps = steps;
            this.cluster = cluster;
            this.target = target;
            this.state = state;
            this.upgraded = new ArrayList<>(done);
        }

        /** kubeadm's stage, then per node drain, kubelet and kubectl, Ready and uncordon. */
        void roll(List<ScriptRunner> batch, UpgradeStage kubeadmStage, PhaseContext context) {
            String stage = kubeadmStage.step();
            try {
                steps.upgradeNodes(batch, params, kubeadmStage);
                stage = "drain";
                for (ScriptRunner node : batch) {
                    cluster.drain(state.apply(node).name(), target);
                }
                stage = UpgradeStage.KUBELET.step();
                steps.upgradeNodes(batch, params, UpgradeStage.KUBELET);
                stage = "uncordon";
                for (ScriptRunner node : batch) {
                    cluster.uncordonWhenReady(state.apply(node).name(), target);
                }
            } catch (RuntimeException e) {
                List<String> notYet = context.nodes().all().stream().filter(n -> !upgraded.contains(n)).map(ScriptRunner::nodeName).toList();
                throw new ClusterStepException("upgradeCluster stopped at " + names(batch) + " (" + stage + "): " + e.getMessage()
                        + "\n  at " + target + ": " + (upgraded.isEmpty() ? "none" : names(upgraded)) + "; not yet: " + String.join(", ", notYet)
                        + "\n  Nodes after " + names(batch) + " were not touched; upgradeCluster again goes on from " + names(batch) + ".", e);
            }
            upgraded.addAll(batch);
            context.say("upgradeCluster: " + names(batch) + " at " + target);
        }
    }

    private static String describe(List<ScriptRunner> nodes, Function<ScriptRunner, UpgradeSurvey.NodeState> state) {
        if (nodes.isEmpty()) {
            return "none to upgrade";
        }
        List<String> parts = new ArrayList<>();
        for (ScriptRunner n : nodes) {
            UpgradeSurvey.NodeState s = state.apply(n);
            parts.add(n.nodeName() + " (kubelet " + s.kubelet() + (s.apiServer() == null ? "" : ", API server " + s.apiServer()) + ")");
        }
        return String.join(", ", parts);
    }

    private static String names(List<ScriptRunner> nodes) {
        return String.join(", ", nodes.stream().map(ScriptRunner::nodeName).toList());
    }
}
