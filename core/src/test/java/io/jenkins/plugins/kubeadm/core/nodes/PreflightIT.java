package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.HostKeyPolicy;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.exec.StepScript;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * prepareNode's preflight checks and the cross-node identity check, on real nodes; and reaching a
 * node as the command-line runner does (docs/cli.md), with an OpenSSH known_hosts file.
 */
class PreflightIT {

    static TestNodes nodes;
    final List<String> output = new CopyOnWriteArrayList<>();
    final LineSink sink = (node, stream, text) -> {
        output.add(node + " " + stream + " " + text);
        System.out.println("[" + node + "] " + text);
    };

    @BeforeAll
    static void startNodes() throws Exception {
        nodes = TestNodes.start(TestNodes.NodeSpec.of("busy"), new TestNodes.NodeSpec("onecpu", true),
                TestNodes.NodeSpec.of("nohosts").withoutEtcHosts());
    }

    @AfterAll
    static void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @BeforeEach
    void clearOutput() {
        output.clear();
    }

    ExecResult prepare(TestNode node, Map<String, String> env) throws Exception {
        try (SshScriptRunner runner = node.runner()) {
            return runner.run(StepRequest.of(StepScript.load("prepare-node.sh"), env), sink, Duration.ofMinutes(3), Cancellation.none());
        }
    }

    String errorLine(TestNode node) {
        return output.stream().filter(l -> l.startsWith(node.name() + " STDERR ERROR: ")).reduce((a, b) -> b).orElse("(no ERROR line)");
    }

    @Test
    void aPortInUseOnAControlPlaneIsReportedWithItsHolder() throws Exception {
        TestNode busy = nodes.node("busy");
        // Something already listens on the API server's port, as a leftover apiserver or another service would.
        busy.sh("systemd-run --unit=hold-6443 /usr/bin/systemd-socket-activate -l 6443 /bin/cat && "
                + "for i in $(seq 50); do ss -Hltn 'sport = :6443' | grep -q . && break; sleep 0.1; done");
        try {
            ExecResult result = prepare(busy, Map.of("NODE_ROLE", "control-plane"));
            assertEquals(1, result.exitStatus());
            assertTrue(errorLine(busy).contains("Port-6443: port 6443 is in use by systemd-socket"), errorLine(busy));
            // A worker does not need 6443.
            assertTrue(prepare(busy, Map.of("NODE_ROLE", "worker")).succeeded());
            // Ignoring the check turns it into a warning.
            ExecResult ignored = prepare(busy, Map.of("NODE_ROLE", "control-plane", "PREFLIGHT_IGNORE", "Port-6443"));
            assertTrue(ignored.succeeded(), output.toString());
            assertTrue(output.stream().anyMatch(l -> l.contains("WARNING: preflight Port-6443 ignored")), output.toString());
        } finally {
            busy.sh("systemctl stop hold-6443");
        }
    }

    @Test
    void aContainerNodeWhoseHostGivesKubeletTooLittleFailsNamingEachFix() throws Exception {
        TestNode busy = nodes.node("busy");
        assertEquals("systemd-nspawn", busy.sh("systemd-detect-virt --container").trim());
        assertTrue(prepare(busy, Map.of("NODE_ROLE", "worker")).succeeded(), "the harness's nodes give kubelet what it needs: " + output);
        boolean hostPanicDiffers = !java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/panic")).trim().equals("10");
        // Take away what the host gave: /dev/kmsg, a writable memory controller, kubelet's kernel.panic view.
        // journald holds /dev/kmsg open: a plain file is mounted over it instead of unmounting it.
        busy.sh("mkdir -p /run/saved && touch /run/saved/not-kmsg && mount --bind /run/saved/not-kmsg /dev/kmsg"
                + " && mount -o remount,bind,ro /sys/fs/cgroup/memory && { umount /proc/sys/kernel/panic 2>/dev/null || true; }");
        try {
            ExecResult result = prepare(busy, Map.of("NODE_ROLE", "worker"));
            assertEquals(1, result.exitStatus());
            String error = errorLine(busy);
            assertTrue(error.contains("Kmsg: /dev/kmsg is missing or unreadable; kubelet exits without it (on the host: "), error);
            assertTrue(error.contains("CgroupsWritable: read-only cgroup mounts: /sys/fs/cgroup/memory;"), error);
            if (hostPanicDiffers) {
                assertTrue(error.contains("KernelSysctls: kubelet needs kernel.panic=10"), error);
            }
            ExecResult ignored = prepare(busy, Map.of("NODE_ROLE", "worker", "PREFLIGHT_IGNORE", "Kmsg,CgroupsWritable,KernelSysctls"));
            assertTrue(ignored.succeeded(), output.toString());
            assertTrue(output.stream().anyMatch(l -> l.contains("WARNING: preflight Kmsg ignored")), output.toString());
        } finally {
            busy.sh("umount /dev/kmsg; mount -o remount,bind,rw /sys/fs/cgroup/memory;"
                    + " mount --bind /run/kubeadm-pipeline-test-sysctl/kernel.panic /proc/sys/kernel/panic 2>/dev/null; true");
        }
    }

    @Test
    void tooFewCpusForAControlPlaneFailsUnlessIgnored() throws Exception {
        TestNode onecpu = nodes.node("onecpu");
        assertEquals("1", onecpu.sh("nproc").trim(), "the node is pinned to one CPU");
        ExecResult result = prepare(onecpu, Map.of("NODE_ROLE", "control-plane"));
        assertEquals(1, result.exitStatus());
        assertTrue(errorLine(onecpu).contains("NumCPU: 1 CPU available, a control plane needs at least 2"), errorLine(onecpu));
        assertTrue(prepare(onecpu, Map.of("NODE_ROLE", "control-plane", "PREFLIGHT_IGNORE", "NumCPU")).succeeded(), output.toString());
        assertTrue(prepare(onecpu, Map.of("NODE_ROLE", "worker")).succeeded(), "a worker has no CPU minimum");
    }

    @Test
    void aDuplicateHostnameAcrossTwoNodesNamesBothNodes() {
        var runners = List.of(nodes.node("busy").runner(), nodes.node("onecpu").runner());
        try {
            IdentityCheck.DuplicateNodeIdentityException e = assertThrows(IdentityCheck.DuplicateNodeIdentityException.class,
                    () -> NodeSteps.prepareNodes(runners, node -> PrepareNodeParams.of("worker", "same-name", null, null),
                            sink, Duration.ofMinutes(3), Cancellation.none()));
            assertEquals(List.of("hostname 'same-name' is shared by nodes busy and onecpu (kubeadm needs it unique per node)"), e.problems());
        } finally {
            runners.forEach(r -> {
                try {
                    r.close();
                } catch (Exception ignored) {
                    // best effort
                }
            });
        }
    }

    @Test
    void aNodeWithoutEtcHostsGetsOneWithLocalhostAndTheManagedBlock() throws Exception {
        TestNode nohosts = nodes.node("nohosts");
        assertEquals("absent", nohosts.sh("test -e /etc/hosts && echo present || echo absent").trim(), "the node boots without /etc/hosts");
        Map<String, String> env = Map.of("NODE_ROLE", "worker", "CLUSTER_HOSTS", "10.231.0.11 cp1 cp1.lab\n10.231.0.12 worker1\n");
        ExecResult first = prepare(nohosts, env);
        assertTrue(first.succeeded(), output.toString());
        String hosts = nohosts.sh("cat /etc/hosts");
        assertEquals("""
                127.0.0.1	localhost
                ::1		localhost ip6-localhost ip6-loopback
                ff02::1		ip6-allnodes
                ff02::2		ip6-allrouters
                # BEGIN kubeadm-pipeline cluster hosts
                10.231.0.11 cp1 cp1.lab
                10.231.0.12 worker1
                # END kubeadm-pipeline cluster hosts
                """, hosts);
        assertEquals("-rw-r--r--", nohosts.sh("stat -c %A /etc/hosts").trim());
        assertTrue(nohosts.sh("getent hosts localhost").startsWith("127.0.0.1") || nohosts.sh("getent hosts localhost").startsWith("::1"));
        assertTrue(nohosts.sh("getent hosts worker1").startsWith("10.231.0.12"));

        // The identity line carries the node's clock, which here is this machine's.
        String identity = output.stream().filter(l -> l.contains("KUBEADM_NODE_IDENTITY")).reduce((a, b) -> b).orElseThrow();
        NodeIdentity id = NodeIdentity.parse(identity.substring(identity.indexOf("KUBEADM_NODE_IDENTITY"))).orElseThrow();
        assertNotNull(id.clock(), identity);
        assertTrue(Math.abs(java.time.Duration.between(java.time.Instant.now(), id.clock()).toSeconds()) < 30, identity);

        output.clear();
        assertTrue(prepare(nohosts, env).succeeded(), output.toString());
        assertEquals(hosts, nohosts.sh("cat /etc/hosts"), "the second run changed /etc/hosts");
        assertTrue(output.stream().noneMatch(l -> l.contains("created /etc/hosts")), output.toString());
    }

    /**
     * A reload re-executes sshd, which stops listening for a moment: the next test's login would be
     * refused. A restart of the notify-type unit returns once the new sshd listens (sessions survive).
     */
    private static final String RESTART_SSHD = "systemctl restart ssh";

    /** What a first `ssh` login records is one ed25519 line; the node's sshd also has ECDSA and RSA keys. */
    @Test
    void aKnownHostsFileWithOnlyTheEd25519KeyReachesANodeWithEveryKeyType() throws Exception {
        TestNode busy = nodes.node("busy");
        busy.sh("ssh-keygen -q -t ecdsa -N '' -f /etc/ssh/ssh_host_ecdsa_key && "
                + "ssh-keygen -q -t rsa -b 2048 -N '' -f /etc/ssh/ssh_host_rsa_key && " + RESTART_SSHD);
        try {
            assertEquals(List.of("ssh-ed25519"), new HostKeyPolicy.KnownHosts(busy.knownHosts()).keyTypesFor(busy.address(), 22));
            NodeTarget target = new NodeTarget(busy.name(), busy.address(), 22, "root", busy.clientKey(),
                    new HostKeyPolicy.KnownHosts(busy.knownHosts()));
            try (SshScriptRunner runner = new SshScriptRunner(target)) {
                ExecResult result = runner.run(StepRequest.of(StepScript.load("prepare-node.sh"), Map.of("NODE_ROLE", "worker")),
                        sink, Duration.ofMinutes(3), Cancellation.none());
                assertTrue(result.succeeded(), output.toString());
            }
        } finally {
            busy.sh("rm -f /etc/ssh/ssh_host_ecdsa_key* /etc/ssh/ssh_host_rsa_key* && " + RESTART_SSHD);
        }
    }

    @Test
    void anUnsupportedOperatingSystemIsRefusedBeforeAnythingChanges() throws Exception {
        TestNode busy = nodes.node("busy");
        String before = busy.sh(NodeStepsIT.ETC_SNAPSHOT);
        busy.sh("mv /etc/os-release /etc/os-release.saved && printf 'ID=fedora\\nVERSION_ID=40\\n' > /etc/os-release");
        try {
            ExecResult result = prepare(busy, Map.of("NODE_ROLE", "worker", "NODE_HOSTNAME", "renamed"));
            assertEquals(1, result.exitStatus());
            assertTrue(errorLine(busy).contains("unsupported operating system 'fedora 40'; supported: Debian 12, Ubuntu 22.04, Ubuntu 24.04"),
                    errorLine(busy));
        } finally {
            busy.sh("rm /etc/os-release && mv /etc/os-release.saved /etc/os-release");
        }
        assertEquals(before, busy.sh(NodeStepsIT.ETC_SNAPSHOT), "the refused run changed the node");
    }
}
