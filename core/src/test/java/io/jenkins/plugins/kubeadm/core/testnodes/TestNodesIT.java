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
        java.util.Map<String, String> hostSysctlsBefore = new java.util.HashMap<>();
        for (String key : TestNodes.KUBELET_SYSCTLS.keySet()) {
            hostSysctlsBefore.put(key, Files.readString(Path.of("/proc/sys", key)).trim());
        }
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
            // What kubelet needs from a container's host.
            assertTrue(node.ssh("test -c /dev/kmsg && head -c 0 /dev/kmsg").ok(), "/dev/kmsg readable in the node");
            assertEquals("", node.sh("findmnt -rn -t cgroup -o OPTIONS | grep '^ro' || true").trim(), "cgroup controllers writable");
            assertTrue(node.ssh("mkdir /sys/fs/cgroup/memory/probe-test && rmdir /sys/fs/cgroup/memory/probe-test").ok(),
                    "a cgroup can be created in the node");
            for (var sysctl : TestNodes.KUBELET_SYSCTLS.entrySet()) {
                assertEquals(sysctl.getValue(), node.sh("cat /proc/sys/" + sysctl.getKey()).trim(), sysctl.getKey() + " in the node");
            }
            long leader = node.nspawn.toHandle().children().findFirst().orElseThrow().pid();
            String cgroups = Files.readString(Path.of("/proc/" + leader + "/cgroup"));
            assertTrue(cgroups.lines().allMatch(l -> l.contains("kubeadm-pipeline-test-" + bridge + "-probe")),
                    "the node runs in its own cgroup in every hierarchy: " + cgroups);
            assertTrue(node.sh("cat /etc/machine-id").trim().matches("[0-9a-f]{32}"), "the node has a machine-id of its own");
            assertTrue(node.sh("findmnt -rn -o TARGET /var/lib/containerd").contains("/var/lib/containerd"),
                    "containerd's state is on a host folder");
        }
        for (NodeCgroups.Hierarchy h : NodeCgroups.hierarchies()) {
            Path own = h.mountPoint().resolve(h.ownPath().substring(1)).resolve("kubeadm-pipeline-test-" + bridge + "-probe");
            assertFalse(Files.exists(own), "cgroup left behind: " + own);
        }
        for (var sysctl : hostSysctlsBefore.entrySet()) {
            assertEquals(sysctl.getValue(), Files.readString(Path.of("/proc/sys", sysctl.getKey())).trim(), "host " + sysctl.getKey() + " changed");
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
