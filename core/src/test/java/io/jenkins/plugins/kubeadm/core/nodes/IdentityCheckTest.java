package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentityCheckTest {

    static NodeIdentity id(String line) {
        return NodeIdentity.parse(line).orElseThrow();
    }

    @Test
    void parsesTheLinePrepareNodePrints() {
        NodeIdentity identity = id("KUBEADM_NODE_IDENTITY hostname=nuc01 product_uuid=- machine_id=abc macs=aa:bb:cc:dd:ee:01,aa:bb:cc:dd:ee:02 primary_ip=192.168.1.10");
        assertEquals(new NodeIdentity("nuc01", null, "abc", List.of("aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"), "192.168.1.10"), identity);
        assertTrue(NodeIdentity.parse("==> node identity").isEmpty());
        assertEquals(Instant.parse("2026-11-30T22:00:00Z"),
                id("KUBEADM_NODE_IDENTITY hostname=a product_uuid=- machine_id=- macs=- primary_ip=- clock=1796076000").clock());
    }

    @Test
    void aSharedMachineIdSaysHowToGiveTheNodeAFreshOne() {
        Map<String, NodeIdentity> ids = new LinkedHashMap<>();
        // A copied image: everything differs but the machine-id.
        ids.put("nuc01", id("KUBEADM_NODE_IDENTITY hostname=nuc01 product_uuid=u1 machine_id=m1 macs=02:00:00:00:00:01 primary_ip=10.0.0.1"));
        ids.put("nuc02", id("KUBEADM_NODE_IDENTITY hostname=nuc02 product_uuid=u2 machine_id=m1 macs=02:00:00:00:00:02 primary_ip=10.0.0.2"));
        IdentityCheck.DuplicateNodeIdentityException e = assertThrows(IdentityCheck.DuplicateNodeIdentityException.class,
                () -> IdentityCheck.requireUnique(ids));
        assertEquals(List.of("machine-id 'm1' is shared by nodes nuc01 and nuc02 (kubeadm needs it unique per node); "
                + "give each cloned node a fresh one as root: rm -f /etc/machine-id /var/lib/dbus/machine-id "
                + "&& systemd-machine-id-setup, then reboot it"), e.problems());
    }

    private static NodeIdentity clocked(String name, Instant clock) {
        return id("KUBEADM_NODE_IDENTITY hostname=" + name + " product_uuid=- machine_id=- macs=- primary_ip=- clock="
                + clock.getEpochSecond());
    }

    @Test
    void clocksMoreThanAMinuteApartFailNamingTheNodesAndTheirClocks() {
        Instant now = Instant.parse("2026-11-30T22:00:00Z");
        Map<String, NodeIdentity> ids = new LinkedHashMap<>();
        ids.put("nuc01", clocked("nuc01", now));
        ids.put("nuc02", clocked("nuc02", now.plusSeconds(75)));
        ids.put("nuc03", clocked("nuc03", now.plusSeconds(2)));
        Map<String, Instant> received = Map.of("nuc01", now, "nuc02", now, "nuc03", now);
        IdentityCheck.ClockSkewException e = assertThrows(IdentityCheck.ClockSkewException.class,
                () -> IdentityCheck.requireClocksInSync(ids, received));
        assertEquals("node clocks differ by 75 s (at most 60 s allowed; certificates and bootstrap tokens fail otherwise): "
                + "nuc01 2026-11-30T22:00:00Z, nuc02 2026-11-30T22:01:15Z, nuc03 2026-11-30T22:00:02Z (at the same moment); "
                + "synchronize them with NTP, e.g. apt-get install systemd-timesyncd or chrony", e.getMessage());
    }

    /** A node that only prints prepare-node.sh's identity line, with its clock this far off. */
    private static ScriptRunner nodeWithClockOff(String name, long offsetSeconds) {
        return new ScriptRunner() {
            @Override
            public String nodeName() {
                return name;
            }

            @Override
            public ExecResult run(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) {
                sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_NODE_IDENTITY hostname=" + name + " product_uuid=- machine_id=m-" + name
                        + " macs=- primary_ip=- clock=" + (Instant.now().getEpochSecond() + offsetSeconds));
                return new ExecResult(0, ExecResult.Outcome.COMPLETED, Duration.ofMillis(1));
            }
        };
    }

    @Test
    void prepareNodesFailsWhenTheNodesClocksAreTooFarApart() {
        List<ScriptRunner> runners = List.of(nodeWithClockOff("nuc01", 0), nodeWithClockOff("nuc02", -300), nodeWithClockOff("nuc03", 20));
        IdentityCheck.ClockSkewException e = assertThrows(IdentityCheck.ClockSkewException.class, () -> NodeSteps.prepareNodes(runners,
                node -> PrepareNodeParams.of("worker", null, null, null), LineSink.NONE, Duration.ofSeconds(10), Cancellation.none()));
        assertTrue(e.getMessage().matches("node clocks differ by 3[12]\\d s \\(at most 60 s allowed; .*\\): nuc01 \\S+Z, nuc02 \\S+Z, "
                + "nuc03 \\S+Z \\(at the same moment\\); synchronize them with NTP.*"), e.getMessage());
        // Within a minute of each other: fine.
        assertEquals(3, NodeSteps.prepareNodes(List.of(nodeWithClockOff("nuc01", 0), nodeWithClockOff("nuc02", 30),
                        nodeWithClockOff("nuc03", -25)), node -> PrepareNodeParams.of("worker", null, null, null), LineSink.NONE,
                Duration.ofSeconds(10), Cancellation.none()).size());
    }

    @Test
    void clocksAreComparedAsOfWhenEachLineArrived() {
        Instant now = Instant.parse("2026-11-30T22:00:00Z");
        Map<String, NodeIdentity> ids = new LinkedHashMap<>();
        // nuc02 finished prepareNode 90 s after nuc01 (a slow apt run), with a clock in sync: no skew.
        ids.put("nuc01", clocked("nuc01", now));
        ids.put("nuc02", clocked("nuc02", now.plusSeconds(90)));
        Map<String, Instant> received = Map.of("nuc01", now, "nuc02", now.plusSeconds(90));
        assertEquals(List.of(), IdentityCheck.clockSkew(ids, received));
        IdentityCheck.requireClocksInSync(ids, received);
        // Exactly a minute apart still passes; a node without a clock is left out.
        ids.put("nuc02", clocked("nuc02", now.plusSeconds(150)));
        ids.put("old", id("KUBEADM_NODE_IDENTITY hostname=old product_uuid=- machine_id=- macs=- primary_ip=-"));
        assertEquals(List.of(), IdentityCheck.clockSkew(ids, Map.of("nuc01", now, "nuc02", now.plusSeconds(90), "old", now)));
    }

    @Test
    void uniqueNodesPass() {
        Map<String, NodeIdentity> ids = new LinkedHashMap<>();
        ids.put("a", id("KUBEADM_NODE_IDENTITY hostname=a product_uuid=u1 machine_id=m1 macs=02:00:00:00:00:01 primary_ip=10.0.0.1"));
        ids.put("b", id("KUBEADM_NODE_IDENTITY hostname=b product_uuid=u2 machine_id=m2 macs=02:00:00:00:00:02 primary_ip=10.0.0.2"));
        assertEquals(List.of(), IdentityCheck.duplicates(ids));
        IdentityCheck.requireUnique(ids);
    }

    @Test
    void eachSharedValueNamesItAndBothNodes() {
        Map<String, NodeIdentity> ids = new LinkedHashMap<>();
        // Cloned VMs: same product_uuid and MAC; hostnames differ only in case.
        ids.put("nuc02", id("KUBEADM_NODE_IDENTITY hostname=NUC01 product_uuid=U1 machine_id=m1 macs=02:00:00:00:00:01 primary_ip=10.0.0.1"));
        ids.put("nuc01", id("KUBEADM_NODE_IDENTITY hostname=nuc01 product_uuid=U1 machine_id=m2 macs=02:00:00:00:00:01 primary_ip=10.0.0.2"));
        ids.put("nuc03", id("KUBEADM_NODE_IDENTITY hostname=nuc03 product_uuid=- machine_id=m3 macs=- primary_ip=10.0.0.3"));
        IdentityCheck.DuplicateNodeIdentityException e = assertThrows(IdentityCheck.DuplicateNodeIdentityException.class,
                () -> IdentityCheck.requireUnique(ids));
        assertEquals(List.of(
                "hostname 'nuc01' is shared by nodes nuc01 and nuc02 (kubeadm needs it unique per node)",
                "product_uuid 'U1' is shared by nodes nuc01 and nuc02 (kubeadm needs it unique per node)",
                "MAC address '02:00:00:00:00:01' is shared by nodes nuc01 and nuc02 (kubeadm needs it unique per node)"), e.problems());
    }

    @Test
    void unknownValuesAreNeverDuplicates() {
        Map<String, NodeIdentity> ids = new LinkedHashMap<>();
        ids.put("a", id("KUBEADM_NODE_IDENTITY hostname=a product_uuid=- machine_id=- macs=- primary_ip=-"));
        ids.put("b", id("KUBEADM_NODE_IDENTITY hostname=b product_uuid=- machine_id=- macs=- primary_ip=-"));
        assertEquals(List.of(), IdentityCheck.duplicates(ids));
    }
}
