package io.jenkins.plugins.kubeadm.core.testnodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The harness itself: a node boots with systemd and sshd, and closing leaves nothing behind. */
class TestNodesIT {

    @Test
    void aNodeBootsWithSystemdAndClosingLeavesNothingBehind() throws Exception {
        String forwardBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
        String bridge;
        long nspawnPid;
        String address;
        try (TestNodes nodes = TestNodes.start("probe")) {
            TestNode node = nodes.node("probe");
            address = node.address();
            assertEquals("probe", node.sh("hostname").trim());
            assertTrue(node.sh("cat /proc/1/comm").contains("systemd"), "PID 1 in the node is systemd");
            assertEquals("debian 12", node.sh(". /etc/os-release && echo \"$ID $VERSION_ID\"").trim());
            bridge = "kpt" + address.split("\\.")[2];
            nspawnPid = node.nspawn.pid();
        }
        assertFalse(Host.attempt("ip", "link", "show", bridge).ok(), "bridge " + bridge + " left behind");
        // Other runs may be going on beside this one: only this run's things are checked.
        assertFalse(Host.run("iptables-save").contains(TestNodes.RULE_COMMENT + "-" + bridge), "iptables rules left behind");
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains("/var/tmp/kubeadm-pipeline-test/" + bridge + "/"),
                "mounts left behind");
        assertFalse(Host.run("ip", "-br", "link").contains("vb-" + bridge), "veth left behind");
        assertFalse(ProcessHandle.of(nspawnPid).map(ProcessHandle::isAlive).orElse(false), "systemd-nspawn still runs");
        assertFalse(Files.exists(Path.of("/var/tmp/kubeadm-pipeline-test", bridge)), "state folder left behind");
        assertFalse(Host.attempt("ip", "-4", "route", "get", address).stdout().contains(bridge), "route left behind");
        boolean otherRuns = Host.run("ip", "-br", "link", "show", "type", "bridge").lines().anyMatch(l -> l.startsWith("kpt"));
        if (!otherRuns) {
            assertEquals(forwardBefore, Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim(), "ip_forward not restored");
        }
    }
}
