package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.exec.StepScript;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.testnodes.StandInAptRepository;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** prepareNode and installRuntime on three real Debian 12 nodes, as a pipeline runs them. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeStepsIT {

    static final String KUBERNETES_VERSION = "1.34.1";
    static final String EXPECTED_PACKAGE_VERSION = "1.34.1-1.1";
    static final String EXPECTED_PAUSE_IMAGE = "registry.k8s.io/pause:3.10.1";
    /** Every file the two steps write; a second run must leave each byte-for-byte the same. */
    static final String TOUCHED_FILES = "/etc/hostname /etc/hosts /etc/fstab /etc/modules-load.d/k8s.conf /etc/sysctl.d/k8s.conf "
            + "/etc/containerd/config.toml /etc/apt/keyrings/kubernetes-apt-keyring.gpg /etc/apt/sources.list.d/kubernetes.list";

    static TestNodes nodes;
    static StandInAptRepository repo;
    static List<SshScriptRunner> runners = new ArrayList<>();
    static final List<String> output = new CopyOnWriteArrayList<>();
    static final LineSink SINK = (node, stream, text) -> {
        output.add(node + " " + text);
        System.out.println("[" + node + "] " + text);
    };

    @BeforeAll
    static void startNodes() throws Exception {
        nodes = TestNodes.start("cp1", "worker1", "worker2");
        repo = StandInAptRepository.serve(nodes.hostAddress(), List.of("1.34.1-1.1", "1.34.2-1.1", "1.35.0-1.1"));
        for (TestNode n : nodes.nodes()) {
            runners.add(n.runner());
        }
        // A swap entry as a laptop or cloud image has one; prepareNode must disable it for good.
        nodes.node("worker1").sh("echo '/swapfile none swap sw 0 0' >> /etc/fstab");
        // A package's swap unit that systemd knows only as a file (never loaded): masked all the same.
        nodes.node("worker2").sh("printf '[Swap]\\nWhat=/swapfile2\\n' > /usr/lib/systemd/system/swapfile2.swap");
    }

    @AfterAll
    static void stopNodes() throws Exception {
        for (SshScriptRunner r : runners) {
            r.close();
        }
        if (repo != null) {
            repo.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    static PrepareNodeParams prepareParams(String node) {
        String hosts = nodes.nodes().stream().map(n -> n.address() + " " + n.name()).reduce((a, b) -> a + "\n" + b).orElseThrow();
        return PrepareNodeParams.of(node.equals("cp1") ? "control-plane" : "worker", node, hosts, "");
    }

    static InstallRuntimeParams installParams() {
        return InstallRuntimeParams.of(KUBERNETES_VERSION, null, repo.repoUrl("1.34"), null);
    }

    static void runBothSteps() {
        Map<String, NodeIdentity> identities = NodeSteps.prepareNodes(runners, NodeStepsIT::prepareParams, SINK,
                Duration.ofMinutes(5), Cancellation.none());
        assertEquals(List.of("cp1", "worker1", "worker2"), List.copyOf(identities.keySet()));
        identities.forEach((node, id) -> assertEquals(node, id.hostname()));
        NodeSteps.installRuntime(runners, installParams(), SINK, Duration.ofMinutes(10), Cancellation.none());
    }

    @Test
    @Order(1)
    void prepareNodeThenInstallRuntimeOnThreeNodesInParallel() {
        runBothSteps();
        for (TestNode n : nodes.nodes()) {
            assertEquals("", n.sh("swapon --show --noheadings").trim(), n + ": swap still on");
            assertEquals("1\n1\n1\n", n.sh("sysctl -n net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.ipv4.ip_forward"), n.name());
            assertTrue(n.sh("cat /etc/modules-load.d/k8s.conf").contains("br_netfilter"), n.name());
            assertEquals("active", n.sh("systemctl is-active containerd").trim(), n.name());
            String dump = n.sh("containerd config dump");
            assertTrue(dump.contains("SystemdCgroup = true"), n + ": containerd config dump has no SystemdCgroup = true");
            assertTrue(dump.contains("sandbox_image = \"" + EXPECTED_PAUSE_IMAGE + "\""), n + ": sandbox image is not " + EXPECTED_PAUSE_IMAGE);
            for (String pkg : List.of("kubelet", "kubeadm", "kubectl")) {
                assertEquals(EXPECTED_PACKAGE_VERSION, n.sh("dpkg-query -W -f='${Version}' " + pkg), n + ": " + pkg);
            }
            assertEquals(List.of("kubeadm", "kubectl", "kubelet"), n.sh("apt-mark showhold").lines().sorted().toList(), n.name());
            assertEquals("enabled", n.sh("systemctl is-enabled kubelet").trim(), n.name());
            assertEquals("v1.34.1", n.sh("kubeadm version -o short").trim(), n.name());
            String hosts = n.sh("cat /etc/hosts");
            for (TestNode other : nodes.nodes()) {
                assertTrue(hosts.contains(other.address() + " " + other.name()), n + ": /etc/hosts lacks " + other.name());
            }
            assertEquals(n.name(), n.sh("hostname").trim());
        }
        String fstab = nodes.node("worker1").sh("cat /etc/fstab");
        assertTrue(fstab.contains("# disabled by kubeadm-pipeline (kubelet needs swap off): /swapfile none swap sw 0 0"), fstab);
        assertEquals("masked", nodes.node("worker2").ssh("systemctl is-enabled swapfile2.swap").stdout().trim(),
                "a swap unit file systemd has not loaded is masked too");
        assertTrue(output.stream().anyMatch(l -> l.startsWith("cp1 ") && l.contains("kubeadm v1.34.1")), "versions are printed at the end");
    }

    @Test
    @Order(2)
    void runningBothStepsAgainChangesNothing() {
        Map<String, String> checksums = new java.util.HashMap<>();
        Map<String, String> containerdPid = new java.util.HashMap<>();
        for (TestNode n : nodes.nodes()) {
            checksums.put(n.name(), n.sh("sha256sum " + TOUCHED_FILES));
            containerdPid.put(n.name(), n.sh("systemctl show -p MainPID --value containerd").trim());
        }
        int keyFetches = repo.requestCount("/core:/stable:/v1.34/deb/Release.key");
        runBothSteps();
        for (TestNode n : nodes.nodes()) {
            assertEquals(checksums.get(n.name()), n.sh("sha256sum " + TOUCHED_FILES), n + ": a second run changed a file");
            assertEquals(containerdPid.get(n.name()), n.sh("systemctl show -p MainPID --value containerd").trim(),
                    n + ": containerd was restarted although its config did not change");
        }
        assertEquals(keyFetches + 3, repo.requestCount("/core:/stable:/v1.34/deb/Release.key"), "the key is re-fetched on every run");
    }

    @Test
    @Order(3)
    void aMinorVersionIsSatisfiedByTheInstalledPatchReleaseAndAnExactOneIsInstalled() throws Exception {
        TestNode worker2 = nodes.node("worker2");
        ExecResult minorOnly = runScript("install-runtime.sh", worker2,
                Map.of("KUBERNETES_VERSION", "1.34", "KUBERNETES_APT_REPO", repo.repoUrl("1.34")));
        assertTrue(minorOnly.succeeded(), minorOnly.describe());
        assertEquals(EXPECTED_PACKAGE_VERSION, worker2.sh("dpkg-query -W -f='${Version}' kubeadm"));

        ExecResult exact = runScript("install-runtime.sh", worker2,
                Map.of("KUBERNETES_VERSION", "1.34.2", "KUBERNETES_APT_REPO", repo.repoUrl("1.34")));
        assertTrue(exact.succeeded(), exact.describe());
        for (String pkg : List.of("kubelet", "kubeadm", "kubectl")) {
            assertEquals("1.34.2-1.1", worker2.sh("dpkg-query -W -f='${Version}' " + pkg), pkg);
        }
        assertEquals(List.of("kubeadm", "kubectl", "kubelet"), worker2.sh("apt-mark showhold").lines().sorted().toList());

        ExecResult missing = runScript("install-runtime.sh", worker2,
                Map.of("KUBERNETES_VERSION", "1.34.9", "KUBERNETES_APT_REPO", repo.repoUrl("1.34")));
        assertNotEquals(0, missing.exitStatus());
        assertTrue(lastError(worker2).contains("Kubernetes 1.34.9 is not in") && lastError(worker2).contains("1.34.2-1.1"), lastError(worker2));
    }

    @Test
    @Order(4)
    void eachInvalidParameterIsNamedAndLeavesTheNodeUnchanged() throws Exception {
        TestNode node = nodes.node("worker1");
        String before = node.sh(ETC_SNAPSHOT);
        List<Case> cases = List.of(
                new Case("prepare-node.sh", Map.of(), "NODE_ROLE is required"),
                new Case("prepare-node.sh", Map.of("NODE_ROLE", "master"), "NODE_ROLE: 'master' is not a role"),
                new Case("prepare-node.sh", Map.of("NODE_ROLE", "worker", "NODE_HOSTNAME", "Bad_Name"), "NODE_HOSTNAME: 'Bad_Name'"),
                new Case("prepare-node.sh", Map.of("NODE_ROLE", "worker", "CLUSTER_HOSTS", "10.0.0.300 node9"), "CLUSTER_HOSTS: line 1"),
                new Case("prepare-node.sh", Map.of("NODE_ROLE", "worker", "PREFLIGHT_IGNORE", "Swapiness"), "PREFLIGHT_IGNORE: unknown check 'Swapiness'"),
                new Case("install-runtime.sh", Map.of("KUBERNETES_VERSION", "latest"), "KUBERNETES_VERSION: 'latest' is not a version"),
                new Case("install-runtime.sh", Map.of("KUBERNETES_VERSION", "1.25"), "KUBERNETES_VERSION: minor 1.25 is not supported"),
                new Case("install-runtime.sh", Map.of("PAUSE_IMAGE", "Pause Image"), "PAUSE_IMAGE: 'Pause Image' is not an image reference"),
                new Case("install-runtime.sh", Map.of("KUBERNETES_APT_REPO", "ftp://mirror/k8s"), "KUBERNETES_APT_REPO: 'ftp://mirror/k8s'"),
                new Case("install-runtime.sh", Map.of("KUBERNETES_APT_KEY_URL", "file:///etc/passwd"), "KUBERNETES_APT_KEY_URL"));
        for (Case c : cases) {
            output.clear();
            ExecResult result = runScript(c.script(), node, c.env());
            assertNotEquals(0, result.exitStatus(), c.toString());
            assertTrue(lastError(node).contains(c.expected()), c + " reported: " + lastError(node));
        }
        assertEquals(before, node.sh(ETC_SNAPSHOT), "an invalid parameter changed the node");
    }

    record Case(String script, Map<String, String> env, String expected) {
    }

    @Test
    @Order(5)
    void theCommandLineRunsBothStepsOnTheInventoryAndArchivesEachStepsLog(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        StringBuilder inventory = new StringBuilder();
        for (TestNode n : nodes.nodes()) {
            inventory.append(n.name()).append(n.name().equals("cp1") ? " control-plane " : " worker ").append("root@").append(n.address()).append('\n');
        }
        java.nio.file.Path inventoryFile = java.nio.file.Files.writeString(dir.resolve("nodes.txt"), inventory);
        TestNode cp1 = nodes.node("cp1");
        var out = new java.io.ByteArrayOutputStream();
        int status = io.jenkins.plugins.kubeadm.core.cli.KubeadmClusterCli.run(new String[] {"--inventory", inventoryFile.toString(), "--phases", "prepare,runtime",
                "--identity", cp1.clientKey().toString(), "--known-hosts", cp1.knownHosts().toString(),
                "--kubernetes-version", "1.34", "--apt-repository", repo.repoUrl("1.34"), "--log-dir", dir.toString()},
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8), System.err);
        assertEquals(0, status, out.toString(java.nio.charset.StandardCharsets.UTF_8));
        for (TestNode n : nodes.nodes()) {
            java.nio.file.Path logs = dir.resolve("kubeadm-logs").resolve(n.name());
            String prepare = java.nio.file.Files.readString(logs.resolve("01-prepare-node.log"));
            String install = java.nio.file.Files.readString(logs.resolve("02-install-runtime.log"));
            assertTrue(prepare.contains("KUBEADM_NODE_IDENTITY hostname=" + n.name()), prepare);
            assertTrue(install.contains("==> installed versions"), install);
        }
    }

    /** Checksums of every regular file under /etc and of the package database. */
    static final String ETC_SNAPSHOT = "find /etc /var/lib/dpkg/status -xdev -type f -print0 | sort -z | xargs -0 sha256sum";

    static ExecResult runScript(String script, TestNode node, Map<String, String> env) throws Exception {
        try (SshScriptRunner runner = node.runner()) {
            return runner.run(StepRequest.of(StepScript.load(script), env), SINK, Duration.ofMinutes(5), Cancellation.none());
        }
    }

    static String lastError(TestNode node) {
        return output.stream().filter(l -> l.startsWith(node.name() + " ERROR: ")).reduce((a, b) -> b).orElse("(no ERROR line)");
    }
}
