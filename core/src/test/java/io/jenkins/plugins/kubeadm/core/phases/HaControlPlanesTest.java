package io.jenkins.plugins.kubeadm.core.phases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several control planes (ControlPlanePhase, and WorkersPhase behind the local load balancer) on
 * stand-in nodes: who is asked what, in which order, and where the certificate key goes.
 */
class HaControlPlanesTest {

    private static final Pattern CERTIFICATE_KEY = Pattern.compile("--certificate-key ([0-9a-f]{64})");

    @TempDir
    Path logDir;
    final List<String> said = new CopyOnWriteArrayList<>();
    final StandInNode cp1 = new StandInNode("cp1", "10.0.0.1");
    final StandInNode cp2 = new StandInNode("cp2", "10.0.0.2");
    final StandInNode cp3 = new StandInNode("cp3", "10.0.0.3");
    final StandInNode worker1 = new StandInNode("worker1", "10.0.0.4");

    PhaseContext context(String inventoryText, StandInNode... nodes) {
        Map<String, ScriptRunner> runners = new LinkedHashMap<>();
        for (StandInNode node : nodes) {
            runners.put(node.nodeName(), node);
        }
        KubeadmSteps steps = new KubeadmSteps(new StepLogs(logDir, new SecretRedactor()), (node, stream, text) -> said.add(text),
                Duration.ofMinutes(1), Cancellation.none());
        return new PhaseContext(ClusterNodes.of(Inventory.parse(inventoryText), runners, "kubeadmCluster"), steps, said::add, null);
    }

    static final String THREE_AND_ONE = "cp1 control-plane root@10.0.0.1\ncp2 control-plane root@10.0.0.2\n"
            + "cp3 control-plane root@10.0.0.3\nworker1 worker root@10.0.0.4\n";

    static KubeadmInitParams haproxy() {
        return KubeadmInitParams.defaults().withApiServerLoadBalancer("haproxy");
    }

    static StandInNode.Call call(StandInNode node, String script) {
        return node.calls.stream().filter(c -> c.script().equals(script)).findFirst()
                .orElseThrow(() -> new AssertionError(node.nodeName() + " ran no " + script + ": " + node.scripts()));
    }

    @Test
    void threeControlPlanesBehindHaproxyFormOneAfterAnotherWithOneCertificateKeyThatNoLogHolds() throws Exception {
        cp2.runsControlPlane = true; // a re-run: the cluster was formed on cp2
        PhaseContext context = context(THREE_AND_ONE, cp1, cp2, cp3, worker1);
        PhaseRunner.run(List.of(new ControlPlanePhase(haproxy()),
                new WorkersPhase(KubeadmSteps.DEFAULT_DISCOVERY_TIMEOUT, List.of(), false, false)), context);

        for (StandInNode cp : List.of(cp1, cp2, cp3, worker1)) {
            assertEquals("10.0.0.1:6443,10.0.0.2:6443,10.0.0.3:6443", call(cp, "api-load-balancer.sh").environment().get("API_SERVERS"),
                    cp.nodeName());
        }
        // kubeadm init where the control plane runs, not on the first line; the endpoint is each node's own haproxy.
        StandInNode.Call init = call(cp2, "kubeadm-init.sh");
        assertFalse(cp1.scripts().contains("kubeadm-init.sh") || cp3.scripts().contains("kubeadm-init.sh"));
        assertEquals("127.0.0.1:8443", init.environment().get("CONTROL_PLANE_ENDPOINT"));
        assertTrue(call(cp2, "api-load-balancer.sh").sequence() < init.sequence(), "haproxy before kubeadm init");
        String key = init.privateFiles().get("CERTIFICATE_KEY_FILE").trim();
        assertTrue(key.matches("[0-9a-f]{64}"), "a 32-byte key in hex");
        // cp1, then cp3, each with the control-plane join and the same key, never two at once.
        StandInNode.Call join1 = call(cp1, "kubeadm-join.sh");
        StandInNode.Call join3 = call(cp3, "kubeadm-join.sh");
        for (StandInNode.Call join : List.of(join1, join3)) {
            String command = join.privateFiles().get("JOIN_COMMAND_FILE");
            assertTrue(command.startsWith("kubeadm join 127.0.0.1:8443 --token "), "the control planes join through haproxy");
            assertTrue(command.contains(" --control-plane "), "a control-plane join");
            Matcher m = CERTIFICATE_KEY.matcher(command);
            assertTrue(m.find() && m.group(1).equals(key), "the key the certificates were uploaded with");
            assertTrue(join.sequence() > init.sequence());
        }
        assertTrue(join1.sequence() < join3.sequence());
        // The worker: haproxy first, then a worker join without the key.
        StandInNode.Call workerJoin = call(worker1, "kubeadm-join.sh");
        assertTrue(call(worker1, "api-load-balancer.sh").sequence() < workerJoin.sequence());
        assertFalse(workerJoin.privateFiles().get("JOIN_COMMAND_FILE").contains("--control-plane"));
        assertFalse(workerJoin.privateFiles().get("JOIN_COMMAND_FILE").contains(key));

        Map<String, String> facts = ClusterFacts.read(logDir);
        for (String cp : List.of("cp1", "cp2", "cp3")) {
            assertEquals("control-plane", facts.get("node." + cp + ".role"), cp);
        }
        assertTrue(said.stream().anyMatch(l -> l.equals("kubeadmInit: cp3 joined as a control plane of 127.0.0.1:8443;"
                + " its etcd member and API server are healthy")), said.toString());
        // The key is in no log, no fact and nothing said: the stand-ins echo nothing of it, and the redactor knows it.
        try (Stream<Path> files = Files.walk(logDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(file).contains(key), file + " holds the certificate key");
            }
        }
        assertTrue(said.stream().noneMatch(l -> l.contains(key)));
        assertEquals("****", context.steps().logs().redactor().redact("" + key).replaceAll("\\*+", "****"));
    }

    @Test
    void oneControlPlaneWithoutALoadBalancerRunsAsBeforeAndUploadsNothing() {
        StandInNode worker = new StandInNode("worker1", "10.0.0.4");
        PhaseContext context = context("cp1 control-plane root@10.0.0.1\nworker1 worker root@10.0.0.4\n", cp1, worker);
        PhaseRunner.run(List.of(new ControlPlanePhase(KubeadmInitParams.defaults())), context);
        assertEquals(List.of("kubeadm-init.sh"), cp1.scripts());
        assertFalse(cp1.calls.get(0).privateFiles().containsKey("CERTIFICATE_KEY_FILE"));
    }

    @Test
    void anEvenNumberOfControlPlanesOrSeveralWithoutAStableEndpointAreRefusedBeforeAnyNodeIsAsked() {
        String two = "cp1 control-plane root@10.0.0.1\ncp2 control-plane root@10.0.0.2\n";
        ParameterException even = assertThrows(ParameterException.class,
                () -> PhaseRunner.run(List.of(new ControlPlanePhase(haproxy())), context(two, cp1, cp2)));
        assertTrue(even.getMessage().contains("names 2 control planes") && even.getMessage().contains("odd number"), even.getMessage());
        ParameterException noEndpoint = assertThrows(ParameterException.class,
                () -> PhaseRunner.run(List.of(new ControlPlanePhase(KubeadmInitParams.defaults())), context(THREE_AND_ONE, cp1, cp2, cp3,
                        worker1)));
        assertTrue(noEndpoint.getMessage().startsWith("controlPlaneEndpoint: is empty"), noEndpoint.getMessage());
        assertTrue(noEndpoint.getMessage().contains("apiServerLoadBalancer: 'haproxy'"), noEndpoint.getMessage());
        for (StandInNode node : List.of(cp1, cp2, cp3, worker1)) {
            assertEquals(List.of(), node.scripts(), node.nodeName());
        }
    }

    @Test
    void theLoadBalancerChoiceIsCheckedAndSetsTheEndpoint() {
        assertEquals("127.0.0.1:8443", haproxy().environment().get("CONTROL_PLANE_ENDPOINT"));
        assertTrue(haproxy().localLoadBalancer());
        assertFalse(KubeadmInitParams.defaults().withApiServerLoadBalancer("none").localLoadBalancer());
        assertFalse(KubeadmInitParams.defaults().withApiServerLoadBalancer(" ").environment().containsKey("CONTROL_PLANE_ENDPOINT"));
        ParameterException unknown = assertThrows(ParameterException.class,
                () -> KubeadmInitParams.defaults().withApiServerLoadBalancer("keepalived"));
        assertEquals("apiServerLoadBalancer: 'keepalived' is not a load balancer choice (accepted: none | haproxy (haproxy: one on"
                + " every node, from the OS packages))", unknown.getMessage());
        ParameterException both = assertThrows(ParameterException.class,
                () -> KubeadmInitParams.of(null, null, null, "lb.lab.example:6443", null, null, false).withApiServerLoadBalancer("haproxy"));
        assertTrue(both.getMessage().contains("controlPlaneEndpoint names lb.lab.example:6443"), both.getMessage());
        // A user's load balancer suffices for three control planes.
        KubeadmInitParams.of(null, null, null, "lb.lab.example:6443", null, null, false).checkControlPlaneCount(3, "inventory");
        haproxy().checkControlPlaneCount(5, "inventory");
        haproxy().checkControlPlaneCount(1, "inventory");
    }

    void etcdOf(StandInNode on, String... healthy) {
        on.runsControlPlane = true;
        for (StandInNode cp : List.of(cp1, cp2, cp3)) {
            on.etcdMembers.put(cp.nodeName(), "10.0.0." + cp.nodeName().substring(2));
        }
        for (String address : healthy) {
            on.healthyEtcdAddresses.add(address);
        }
    }

    @Test
    void removingAControlPlaneAsksAnotherForEtcdsMembersAndRemovesItsMemberThere() {
        etcdOf(cp1, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        cp3.runsControlPlane = true;
        PhaseContext context = context(THREE_AND_ONE, cp1, cp2, cp3, worker1);
        RemoveNodesPhase.Removal removal = RemoveNodesPhase.check(context.steps(), List.of(cp3), () -> List.of(cp1, cp2, cp3), "label");
        assertEquals(List.of("cp3"), removal.kubernetesNames());
        assertEquals(List.of("cp3"), removal.controlPlanes());
        assertEquals(cp1, removal.stayingControlPlane());
        assertFalse(call(cp1, "etcd-members.sh").environment().containsKey("REMOVE_MEMBER_ID"), "the check changes nothing");
        removal.removeEtcdMembers(context.steps(), said::add);
        assertEquals(StandInNode.memberId("cp3"), cp1.calls.get(cp1.calls.size() - 1).environment().get("REMOVE_MEMBER_ID"));
        assertEquals(List.of("cp1", "cp2"), List.copyOf(cp1.etcdMembers.keySet()));
        assertTrue(said.contains("removeNode: etcd member cp3 removed; etcd has 2 members: cp1, cp2"), said.toString());
        // A second run finds the member gone and goes on.
        RemoveNodesPhase.check(context.steps(), List.of(cp3), () -> List.of(cp1, cp2, cp3), "label").removeEtcdMembers(context.steps(),
                said::add);
        assertTrue(said.contains("removeNode: cp3 has no etcd member (already removed)"), said.toString());
    }

    @Test
    void removingAControlPlaneThatWouldCostEtcdItsQuorumIsRefusedBeforeAnythingChanges() {
        etcdOf(cp1, "10.0.0.1", "10.0.0.3"); // cp2 is down
        cp3.runsControlPlane = true;
        PhaseContext context = context(THREE_AND_ONE, cp1, cp2, cp3, worker1);
        ParameterException e = assertThrows(ParameterException.class,
                () -> RemoveNodesPhase.check(context.steps(), List.of(cp3), () -> List.of(cp1, cp2, cp3), "label"));
        assertTrue(e.getMessage().startsWith("label: removing cp3 would leave etcd 1 healthy member of 3"), e.getMessage());
        assertEquals(List.of("node-name.sh"), cp3.scripts());
        assertEquals(List.of("etcd-members.sh"), cp1.scripts());
        // Every control plane at once: refused without asking etcd.
        ParameterException all = assertThrows(ParameterException.class,
                () -> RemoveNodesPhase.check(context.steps(), List.of(cp3), () -> List.of(cp3), "label"));
        assertTrue(all.getMessage().startsWith("label: removes every control plane (cp3)"), all.getMessage());
    }

    @Test
    void removingWorkersAsksNoControlPlane() {
        PhaseContext context = context(THREE_AND_ONE, cp1, cp2, cp3, worker1);
        RemoveNodesPhase.Removal removal = RemoveNodesPhase.check(context.steps(), List.of(worker1), () -> {
            throw new AssertionError("no control plane is needed");
        }, "label");
        assertEquals(List.of("worker1"), removal.kubernetesNames());
        assertEquals(List.of(), removal.controlPlanes());
    }
}
