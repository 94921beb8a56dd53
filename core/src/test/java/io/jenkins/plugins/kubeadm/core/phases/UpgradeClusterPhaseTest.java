package io.jenkins.plugins.kubeadm.core.phases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.cluster.ClusterStepException;
import io.jenkins.plugins.kubeadm.core.cluster.UpgradeApi;
import io.jenkins.plugins.kubeadm.core.cluster.UpgradeSurvey;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.KubernetesUpgrade.Release;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.UpgradeClusterParams;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * upgradeCluster's order and refusals on stand-in nodes and a stand-in API server: what is asked of
 * which node in which order, what is refused before any change, and a second run after a failure.
 * (UpgradeClusterIT upgrades a real cluster.)
 */
class UpgradeClusterPhaseTest {

    @TempDir
    Path logDir;
    final List<String> said = new CopyOnWriteArrayList<>();
    /** Every node stage and API call, in order: "worker1 upgrade-node", "drain worker1", ... */
    final List<String> events = new CopyOnWriteArrayList<>();
    final StandInNode cp1 = new StandInNode("cp1", "10.0.0.1");
    final StandInNode cp2 = new StandInNode("cp2", "10.0.0.2");
    final StandInNode cp3 = new StandInNode("cp3", "10.0.0.3");
    final StandInNode worker1 = new StandInNode("worker1", "10.0.0.4");
    final StandInNode worker2 = new StandInNode("worker2", "10.0.0.5");
    final StandInNode worker3 = new StandInNode("worker3", "10.0.0.6");
    final StandInApi api = new StandInApi();

    /** The API server's view of the stand-in nodes: their releases, and the Nodes upgradeCluster marked. */
    final class StandInApi implements UpgradeApi {
        final List<StandInNode> nodes = new ArrayList<>();
        final Map<String, Release> upgrading = new LinkedHashMap<>();
        final List<String> blockers = new ArrayList<>();

        @Override
        public UpgradeSurvey survey() {
            return new UpgradeSurvey(nodes.stream().map(n -> new UpgradeSurvey.NodeState(n.nodeName(), Release.reported(n.kubelet),
                    Release.reported(n.apiServer), upgrading.get(n.nodeName()))).toList());
        }

        @Override
        public List<String> drainBlockers(List<String> nodes) {
            events.add("dry run " + String.join(",", nodes));
            return blockers;
        }

        @Override
        public void drain(String node, Release target) {
            events.add("drain " + node);
            upgrading.put(node, target);
        }

        @Override
        public void uncordonWhenReady(String node, Release target) {
            events.add("uncordon " + node);
            upgrading.remove(node);
        }
    }

    PhaseContext context(StandInNode... nodes) {
        Map<String, ScriptRunner> runners = new LinkedHashMap<>();
        StringBuilder inventory = new StringBuilder();
        for (StandInNode node : nodes) {
            ScriptRunner recording = new ScriptRunner() {
                @Override
                public String nodeName() {
                    return node.nodeName();
                }

                @Override
                public io.jenkins.plugins.kubeadm.core.exec.ExecResult run(io.jenkins.plugins.kubeadm.core.exec.StepRequest request,
                        io.jenkins.plugins.kubeadm.core.exec.LineSink sink, Duration timeout, Cancellation cancellation) {
                    if (request.script().fileName().equals("upgrade-node.sh")) {
                        events.add(node.nodeName() + " " + request.environment().get("UPGRADE_STAGE"));
                    }
                    return node.run(request, sink, timeout, cancellation);
                }
            };
            runners.put(node.nodeName(), recording);
            boolean controlPlane = node.nodeName().startsWith("cp");
            node.runsControlPlane = controlPlane;
            if (controlPlane && node.apiServer == null) {
                node.apiServer = "v1.26.1";
            }
            inventory.append(node.nodeName()).append(controlPlane ? " control-plane" : " worker").append(" root@10.0.0.").append(runners.size())
                    .append('\n');
            if (!api.nodes.contains(node)) {
                api.nodes.add(node);
            }
        }
        KubeadmSteps steps = new KubeadmSteps(new StepLogs(logDir, new SecretRedactor()), (node, stream, text) -> said.add(text),
                Duration.ofMinutes(1), Cancellation.none());
        return new PhaseContext(ClusterNodes.of(Inventory.parse(inventory.toString()), runners, "upgradeCluster"), steps, said::add, null);
    }

    void upgrade(UpgradeClusterParams params, StandInNode... nodes) {
        PhaseRunner.run(List.of(new UpgradeClusterPhase(params, api, "inventory")), context(nodes));
    }

    static UpgradeClusterParams to(String version) {
        return UpgradeClusterParams.of(version);
    }

    @Test
    void theControlPlaneFirstThenTheWorkersInBatchesEachDrainedUpgradedAndUncordoned() {
        upgrade(to("1.26.2").withMaxUnavailable(2), cp1, worker1, worker2, worker3);

        assertEquals(List.of("dry run cp1,worker1,worker2,worker3", "cp1 plan",
                "cp1 apply", "drain cp1", "cp1 kubelet", "uncordon cp1",
                "worker1 node", "worker2 node", "drain worker1", "drain worker2", "worker1 kubelet", "worker2 kubelet",
                "uncordon worker1", "uncordon worker2",
                "worker3 node", "drain worker3", "worker3 kubelet", "uncordon worker3"), sortedWithinBatches(events));
        for (StandInNode n : List.of(cp1, worker1, worker2, worker3)) {
            assertEquals("v1.26.2", n.kubelet, n.nodeName());
        }
        assertEquals("v1.26.2", cp1.apiServer);
        assertTrue(said.contains("upgradeCluster: every node runs 1.26.2"), said.toString());
    }

    /** Nodes of one batch run side by side: their order within the batch is not the test's business. */
    private static List<String> sortedWithinBatches(List<String> events) {
        List<String> sorted = new ArrayList<>(events);
        int from = sorted.indexOf("worker1 node");
        if (from >= 0) {
            List<String> sameKind = new ArrayList<>(sorted.subList(from, from + 2));
            sameKind.sort(null);
            for (int i = 0; i < 2; i++) {
                sorted.set(from + i, sameKind.get(i));
            }
            int kubelets = sorted.indexOf(sorted.stream().filter(e -> e.endsWith(" kubelet") && e.startsWith("worker")).findFirst().orElseThrow());
            List<String> k = new ArrayList<>(sorted.subList(kubelets, kubelets + 2));
            k.sort(null);
            for (int i = 0; i < 2; i++) {
                sorted.set(kubelets + i, k.get(i));
            }
        }
        return sorted;
    }

    @Test
    void severalControlPlanesOneAtATimeTheFirstWithApplyTheOthersWithUpgradeNode() {
        upgrade(to("1.27.0"), cp1, cp2, cp3, worker1);
        assertEquals(List.of("dry run cp1,cp2,cp3,worker1", "cp1 plan",
                "cp1 apply", "drain cp1", "cp1 kubelet", "uncordon cp1",
                "cp2 node", "drain cp2", "cp2 kubelet", "uncordon cp2",
                "cp3 node", "drain cp3", "cp3 kubelet", "uncordon cp3",
                "worker1 node", "drain worker1", "worker1 kubelet", "uncordon worker1"), events);
    }

    @Test
    void aBlockedDrainOrABrokenRuleIsRefusedBeforeAnyNodeChanges() {
        api.blockers.add("default/web-0 on worker1: PodDisruptionBudget default/web allows 0 disruption(s) now (1 healthy, 1 needed)");
        ClusterStepException blocked = assertThrows(ClusterStepException.class, () -> upgrade(to("1.26.2"), cp1, worker1));
        assertTrue(blocked.getMessage().contains("would be blocked, so nothing was changed"), blocked.getMessage());
        assertTrue(blocked.getMessage().contains("PodDisruptionBudget default/web"), blocked.getMessage());
        assertEquals(List.of("dry run cp1,worker1"), events);

        events.clear();
        api.blockers.clear();
        ParameterException skips = assertThrows(ParameterException.class, () -> upgrade(to("1.28.0"), cp1, worker1));
        assertEquals("kubernetesVersion", skips.parameter());
        assertTrue(skips.getMessage().contains("skips a minor"), skips.getMessage());
        ParameterException down = assertThrows(ParameterException.class, () -> upgrade(to("1.26.0"), cp1, worker1));
        assertTrue(down.getMessage().contains("never goes down a release"), down.getMessage());
        assertEquals(List.of(), events, "no node was asked to change");
    }

    @Test
    void aFailureNamesTheNodeAndStageLeavesTheRestAndASecondRunGoesOnWhereItStopped() {
        worker2.upgradeFailsAt = "node";
        ClusterStepException stopped = assertThrows(ClusterStepException.class, () -> upgrade(to("1.26.2"), cp1, worker1, worker2, worker3));
        assertTrue(stopped.getMessage().startsWith("upgradeCluster stopped at worker2 (upgrade-node): "), stopped.getMessage());
        assertTrue(stopped.getMessage().contains("apt-get update failed"), stopped.getMessage());
        assertTrue(stopped.getMessage().contains("at 1.26.2: cp1, worker1; not yet: worker2, worker3"), stopped.getMessage());
        assertEquals("v1.26.2", worker1.kubelet);
        assertEquals("v1.26.1", worker3.kubelet);
        assertTrue(events.stream().noneMatch(e -> e.startsWith("worker3") || e.endsWith(" worker3")), "worker3 untouched: " + events);
        assertTrue(events.stream().noneMatch(e -> e.equals("drain worker2")), "worker2 was not drained: " + events);

        events.clear();
        worker2.upgradeFailsAt = null;
        upgrade(to("1.26.2"), cp1, worker1, worker2, worker3);
        assertEquals(List.of("dry run worker2,worker3", "cp1 plan",
                "worker2 node", "drain worker2", "worker2 kubelet", "uncordon worker2",
                "worker3 node", "drain worker3", "worker3 kubelet", "uncordon worker3"), events);
        assertTrue(said.stream().anyMatch(l -> l.contains("already at 1.26.2: cp1, worker1")), said.toString());

        events.clear();
        upgrade(to("1.26.2"), cp1, worker1, worker2, worker3);
        assertEquals(List.of(), events, "a third run has nothing to do");
        assertTrue(said.contains("upgradeCluster: every node runs 1.26.2 already"), said.toString());
    }

    @Test
    void aNodeLeftCordonedByAnEarlierRunIsFinishedEvenAtTheRelease() {
        // The kubelet restarted at 1.26.2, then the run ended before worker1 was uncordoned.
        worker1.kubelet = "v1.26.2";
        api.upgrading.put("worker1", Release.reported("v1.26.2"));
        cp1.apiServer = "v1.26.2";
        cp1.kubelet = "v1.26.2";
        upgrade(to("1.26.2"), cp1, worker1);
        assertEquals(List.of("dry run worker1", "cp1 plan", "worker1 node", "drain worker1", "worker1 kubelet", "uncordon worker1"), events);
    }

    @Test
    void kubeadmApplyRunsAgainWhenItStoppedAfterMovingTheApiServer() {
        // kubeadm upgrade apply moved the static pods, then failed on an add-on: no control plane is done yet.
        cp1.apiServer = "v1.26.2";
        upgrade(to("1.26.2"), cp1, cp2, cp3, worker1);
        assertEquals(List.of("cp1 plan", "cp1 apply", "drain cp1", "cp1 kubelet", "uncordon cp1", "cp2 node", "drain cp2", "cp2 kubelet",
                "uncordon cp2"), events.subList(1, 10));
    }

    @Test
    void planOnlyPrintsKubeadmsPlanAndDrainsNothing() {
        upgrade(to("1.26.2").withPlanOnly(true), cp1, worker1);
        assertEquals(List.of("dry run cp1,worker1", "cp1 plan"), events);
        assertEquals("v1.26.1", worker1.kubelet);
        assertTrue(said.stream().anyMatch(l -> l.startsWith("upgradeCluster: plan only")), said.toString());
    }
}
