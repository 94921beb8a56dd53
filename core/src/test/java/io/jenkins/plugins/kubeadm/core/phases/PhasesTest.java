package io.jenkins.plugins.kubeadm.core.phases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The phases on stand-in nodes: what each asks of which node, what it says, and what it hands on. */
class PhasesTest {

    static final String TOKEN = "abcdef.0123456789abcdef";

    @TempDir
    Path logDir;
    final List<String> said = new CopyOnWriteArrayList<>();
    final StandInNode cp1 = new StandInNode("cp1", "192.168.1.10");
    final StandInNode worker1 = new StandInNode("worker1", "192.168.1.11");
    final StandInNode worker2 = new StandInNode("worker2", "192.168.1.12");
    final Inventory inventory = Inventory.parse("cp1 control-plane root@192.168.1.10\nworker1 worker root@192.168.1.11\n"
            + "worker2 worker root@192.168.1.12\n");

    PhaseContext context(ClusterNodes nodes) {
        KubeadmSteps steps = new KubeadmSteps(new StepLogs(logDir, new SecretRedactor()), (node, stream, text) -> { },
                Duration.ofMinutes(1), Cancellation.none());
        return new PhaseContext(nodes, steps, said::add, null);
    }

    ClusterNodes inventoryNodes() {
        Map<String, ScriptRunner> runners = new LinkedHashMap<>();
        for (StandInNode node : List.of(cp1, worker1, worker2)) {
            runners.put(node.nodeName(), node);
        }
        return ClusterNodes.of(inventory, runners, "kubeadmCluster");
    }

    static JoinCommand joinCommand() {
        return JoinCommand.parse("kubeadm join " + StandInNode.ENDPOINT + " --token " + TOKEN + " --discovery-token-ca-cert-hash "
                + StandInNode.CA_HASH);
    }

    @Test
    void prepareNamesEachInventoryNodeAfterItsLineGivesEveryNodeTheInventoryAddressesAndKeepsWhatItLearned() throws Exception {
        PhaseContext context = context(inventoryNodes());
        PhaseRunner.run(List.of(new PreparePhase(null, null, null)), context);
        for (StandInNode node : List.of(cp1, worker1, worker2)) {
            Map<String, String> env = node.calls.get(0).environment();
            assertEquals(node.nodeName(), env.get("NODE_HOSTNAME"));
            assertEquals(node == cp1 ? "control-plane" : "worker", env.get("NODE_ROLE"));
            assertTrue(env.get("CLUSTER_HOSTS").contains("192.168.1.12 worker2"), env.toString());
        }
        assertEquals("192.168.1.11", context.identities().get("worker1").primaryIp());
        Map<String, String> facts = ClusterFacts.read(logDir);
        assertEquals("worker", facts.get("node.worker2.role"));
        assertEquals("192.168.1.12", facts.get("node.worker2.address"));
        assertEquals("control-plane", facts.get("node.cp1.role"));
        assertTrue(said.contains("prepareNode: worker2 ready as worker (worker2, 192.168.1.12)"), said.toString());
        // One phase alone is not announced: the step's own name is on the console already.
        assertTrue(said.stream().noneMatch(line -> line.startsWith("==> ")), said.toString());
    }

    @Test
    void prepareTakesTheUsersHostsOverTheInventorysAndOneHostnameForAPickedNode() {
        PhaseRunner.run(List.of(new PreparePhase("10.1.1.1 cp1\n", "Mem", "nuc07")),
                context(ClusterNodes.picked(List.of(worker1), null, node -> "worker")));
        Map<String, String> env = worker1.calls.get(0).environment();
        assertEquals("nuc07", env.get("NODE_HOSTNAME"));
        assertEquals("10.1.1.1 cp1", env.get("CLUSTER_HOSTS"));
        assertEquals("Mem", env.get("PREFLIGHT_IGNORE"));
    }

    @Test
    void workersJoinWithTheHandedCommandThenTheTokenIsDeletedOnTheControlPlane() {
        PhaseContext context = context(inventoryNodes()).withJoinCommand(joinCommand());
        PhaseRunner.run(List.of(new WorkersPhase(Duration.ofSeconds(90), List.of(), true, false)), context);
        for (StandInNode worker : List.of(worker1, worker2)) {
            StandInNode.Call join = worker.calls.get(0);
            assertEquals("kubeadm-join.sh", join.script());
            assertEquals("true", join.environment().get("WAIT_FOR_READY"));
            assertEquals("90s", join.environment().get("JOIN_DISCOVERY_TIMEOUT"));
            assertTrue(join.privateFiles().values().iterator().next().contains(TOKEN), "the command travels as a private file");
            assertFalse(join.environment().toString().contains(TOKEN), "and never in the environment");
        }
        assertEquals(List.of("delete-join-token.sh"), cp1.scripts());
        assertEquals("abcdef", cp1.calls.get(0).environment().get("JOIN_TOKEN_ID"));
        assertTrue(said.contains("joinWorkers: worker1 joined " + StandInNode.ENDPOINT + ", Ready"), said.toString());
        assertTrue(said.contains("joinWorkers: join token abcdef deleted on cp1; the next kubeadmInit makes a fresh one"), said.toString());
    }

    @Test
    void keepTokenLeavesTheControlPlaneAloneSoAStepWithoutOneCanJoin() {
        PhaseContext context = context(ClusterNodes.picked(List.of(worker1), null, node -> "worker")).withJoinCommand(joinCommand());
        PhaseRunner.run(List.of(new WorkersPhase(WorkersPhase.discoveryTimeout(0), List.of("Swap"), false, true)), context);
        assertEquals(List.of("kubeadm-join.sh"), worker1.scripts());
        assertEquals("60s", worker1.calls.get(0).environment().get("JOIN_DISCOVERY_TIMEOUT"));
        assertEquals("Swap", worker1.calls.get(0).environment().get("IGNORE_PREFLIGHT_ERRORS"));
        assertTrue(cp1.calls.isEmpty());
        assertTrue(said.contains("joinWorkers: join token abcdef kept (keepToken), it expires with its TTL"), said.toString());
    }

    @Test
    void workersWithoutAJoinCommandAreRefusedBeforeAnyNodeIsTouched() {
        PhaseContext context = context(inventoryNodes());
        ParameterException refused = assertThrows(ParameterException.class, () -> PhaseRunner.run(
                List.of(new ResetPhase(), new WorkersPhase(Duration.ofMinutes(1), List.of(), true, false)), context));
        assertTrue(refused.getMessage().startsWith("phases: has workers without control-plane (accepted: control-plane with workers:"
                + " the join command kubeadmInit makes stays in this run's memory)"), refused.getMessage());
        assertTrue(cp1.calls.isEmpty() && worker1.calls.isEmpty(), "the reset before it did not run either");
        PhaseRunner.check(List.of(Phase.CONTROL_PLANE, Phase.WORKERS), Set.of());
        PhaseRunner.check(List.of(Phase.WORKERS), Set.of(Phase.Handoff.JOIN_COMMAND));
    }

    @Test
    void phasesRunInTheOneOrderWhateverOrderTheyComeInEachAnnounced() {
        List<String> ran = new ArrayList<>();
        List<ClusterPhase> phases = new ArrayList<>();
        for (Phase kind : List.of(Phase.GPU, Phase.RESET, Phase.CNI)) {
            phases.add(new ClusterPhase() {
                @Override
                public Phase phase() {
                    return kind;
                }

                @Override
                public void run(PhaseContext context) {
                    ran.add(kind.id());
                }
            });
        }
        PhaseRunner.run(phases, context(inventoryNodes()));
        assertEquals(List.of("reset", "cni", "gpu"), ran);
        assertEquals(List.of("==> resetNode", "==> applyCni", "==> installGpuPlugin"), said);
        assertThrows(IllegalArgumentException.class, () -> PhaseRunner.run(List.of(new ResetPhase(), new ResetPhase()),
                context(inventoryNodes())));
    }

    @Test
    void runtimeAndResetRunOnEveryNodeEachInItsStepLog() throws Exception {
        PhaseContext context = context(inventoryNodes());
        PhaseRunner.run(List.of(new ResetPhase(), new RuntimePhase(InstallRuntimeParams.of("1.26", null, null, null))), context);
        for (StandInNode node : List.of(cp1, worker1, worker2)) {
            assertEquals(List.of("reset-node.sh", "install-runtime.sh"), node.scripts());
            try (var logs = Files.list(logDir.resolve("kubeadm-logs").resolve(node.nodeName()))) {
                assertEquals(2, logs.count(), "one step log per phase on " + node.nodeName());
            }
        }
        assertTrue(said.contains("installRuntime: containerd and Kubernetes 1.26 on cp1, worker1, worker2"), said.toString());
    }

    @Test
    void anInventoryGivesEveryControlPlaneInItsLinesOrderAndTheCountIsCheckedWhereTheClusterIsFormed() {
        StandInNode cp2 = new StandInNode("cp2", "10.0.0.2");
        Inventory two = Inventory.parse("cp2 control-plane root@10.0.0.2\ncp1 control-plane root@10.0.0.1\n");
        ClusterNodes nodes = ClusterNodes.of(two, Map.of("cp1", cp1, "cp2", cp2), "kubeadmInit");
        assertEquals(List.of(cp2, cp1), nodes.controlPlanes());
        assertEquals(cp2, nodes.controlPlane());
        assertEquals(List.of(), nodes.workers());
        // Two control planes: refused by kubeadmInit's check (HaControlPlanesTest), not by the inventory.
    }

    @Test
    void aMaintenancePhaseRunsAloneAndOutsideTheBuildOrder() {
        assertFalse(Phase.ORDER.contains(Phase.REMOVE_NODES), Phase.ORDER.toString());
        assertEquals(List.of(Phase.REMOVE_NODES, Phase.RENEW_CERTIFICATES, Phase.UPGRADE), Phase.MAINTENANCE);
        assertEquals(Phase.REMOVE_NODES, Phase.ofStep("removeNode"));
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
                () -> PhaseRunner.run(List.of(new ResetPhase(), new RenewCertificatesPhase(false)), context(inventoryNodes())));
        assertTrue(mixed.getMessage().contains("runs alone"), mixed.getMessage());
        assertEquals(List.of(), cp1.scripts(), "nothing ran");
    }

    @Test
    void renewCertificatesRunsOnTheControlPlanesOnlyAsAskedAndHandsOnTheFirstExpiry() throws Exception {
        RenewCertificatesPhase renew = new RenewCertificatesPhase(true);
        PhaseRunner.run(List.of(renew), context(inventoryNodes()));
        assertEquals(List.of("renew-certificates.sh"), cp1.scripts());
        assertEquals("true", cp1.calls.get(0).environment().get("RENEW"));
        assertEquals(List.of(), worker1.scripts());
        assertEquals("2027-12-05T22:48:00Z", renew.earliest().earliest().toString());
        assertTrue(renew.earliest().renewed());
        assertTrue(said.contains("renewCertificates: cp1: renewed; apiserver expires first, on 2027-12-05T22:48:00Z"), said.toString());
        assertEquals("2027-12-05T22:48:00Z (apiserver on cp1)", ClusterFacts.read(logDir).get("certificatesExpire"));
        java.time.Instant day = java.time.Instant.parse("2027-11-20T00:00:00Z");
        assertEquals("apiserver on cp1 expires on 2027-12-05T22:48:00Z, within 30 days (renewCertificates(renew: true) renews it)",
                renew.earliest().warningWithin(30, day));
        assertEquals(null, renew.earliest().warningWithin(10, day));
        assertEquals(null, renew.earliest().warningWithin(0, day));
        assertThrows(IllegalArgumentException.class, () -> new KubeadmSteps.CertificateExpiry("cp1", false, day, "<b>x</b>"));
    }
}
