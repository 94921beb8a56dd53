package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
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

/** prepareNode's preflight checks and the cross-node identity check, on real nodes. */
class PreflightIT {

    static TestNodes nodes;
    final List<String> output = new CopyOnWriteArrayList<>();
    final LineSink sink = (node, stream, text) -> {
        output.add(node + " " + stream + " " + text);
        System.out.println("[" + node + "] " + text);
    };

    @BeforeAll
    static void startNodes() throws Exception {
        nodes = TestNodes.start(TestNodes.NodeSpec.of("busy"), new TestNodes.NodeSpec("onecpu", true));
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
        var runners = nodes.nodes().stream().map(TestNode::runner).toList();
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
