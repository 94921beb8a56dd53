package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.exec.StepScript;
import io.jenkins.plugins.kubeadm.core.logs.ConsoleLineSink;
import io.jenkins.plugins.kubeadm.core.logs.StepLogSink;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import io.jenkins.plugins.kubeadm.core.secrets.JoinSecrets;
import io.jenkins.plugins.kubeadm.core.secrets.RedactingLineSink;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import io.jenkins.plugins.kubeadm.core.testnodes.Host;
import io.jenkins.plugins.kubeadm.core.testnodes.StandInAptRepository;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kubeadmInit, joinWorkers and resetNode on three real Debian 12 nodes (stand-in kubeadm): a cluster
 * forms, a second run changes nothing, the cron rebuild cycle works without cutting SSH, bad join
 * commands fail with a clear reason, and no secret reaches any file or the console.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubeadmClusterIT {

    static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);
    /** Every file kubeadmInit and joinWorkers write; a second run must leave each byte-for-byte the same. */
    static final String CLUSTER_FILES = "find /etc/kubernetes /var/lib/kubelet /root/.kube -type f -print0 | sort -z | xargs -0 sha256sum";

    static TestNodes nodes;
    static StandInAptRepository repo;
    static final List<SshScriptRunner> runners = new ArrayList<>();
    static SshScriptRunner controlPlane;
    static List<SshScriptRunner> workers;
    static Path workspace;
    static SecretRedactor redactor;
    static StepLogs logs;
    static final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    static ConsoleLineSink console;
    static KubeadmSteps steps;
    static Instant started;
    /** Every join secret the run handled: the leak search looks for each. */
    static final Set<String> secrets = new LinkedHashSet<>();
    static JoinCommand lastJoinCommand;

    @BeforeAll
    static void prepareThreeNodes() throws Exception {
        started = Instant.now().minusSeconds(5);
        nodes = TestNodes.start("cp1", "worker1", "worker2");
        repo = StandInAptRepository.serve(nodes.hostAddress(), List.of("1.34.1-1.1"));
        for (TestNode n : nodes.nodes()) {
            runners.add(n.runner());
        }
        controlPlane = runners.get(0);
        workers = runners.subList(1, 3);
        workspace = Files.createTempDirectory("kubeadm-cluster-it-workspace");
        redactor = new SecretRedactor();
        logs = new StepLogs(workspace, redactor);
        // The console goes to memory (searched for secrets at the end) and to the test output.
        OutputStream tee = ClusterTestSupport.consoleCapturedIn(consoleBytes);
        console = new ConsoleLineSink(tee, redactor);
        steps = new KubeadmSteps(logs, console, STEP_TIMEOUT, Cancellation.none());

        StepLogSink logSink = new StepLogSink(logs, console);
        String hosts = nodes.nodes().stream().map(n -> n.address() + " " + n.name()).reduce((a, b) -> a + "\n" + b).orElseThrow();
        runners.forEach(r -> logSink.beginStep(r.nodeName(), "prepare-node"));
        NodeSteps.prepareNodes(runners, node -> PrepareNodeParams.of(node.equals("cp1") ? "control-plane" : "worker", node, hosts, ""),
                logSink, STEP_TIMEOUT, Cancellation.none());
        runners.forEach(r -> logSink.succeedStep(r.nodeName()));
        runners.forEach(r -> logSink.beginStep(r.nodeName(), "install-runtime"));
        NodeSteps.installRuntime(runners, InstallRuntimeParams.of("1.34.1", null, repo.repoUrl("1.34"), null), logSink,
                Duration.ofMinutes(10), Cancellation.none());
        runners.forEach(r -> logSink.succeedStep(r.nodeName()));
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
        if (workspace != null) {
            Host.attempt("rm", "-rf", workspace.toString());
        }
    }

    static TestNode node(String name) {
        return nodes.node(name);
    }

    static String apiServerEndpoint() {
        return node("cp1").address() + ":6443";
    }

    static String caHash(TestNode n) {
        return "sha256:" + n.sh("openssl x509 -in /etc/kubernetes/pki/ca.crt -pubkey -noout | openssl pkey -pubin -outform DER"
                + " | openssl dgst -sha256 | awk '{print $2}'").trim();
    }

    static void remember(JoinCommand joinCommand) {
        secrets.addAll(joinCommand.secrets());
        lastJoinCommand = joinCommand;
    }

    static void assertJoinedToTheControlPlane(ClusterFixture.ClusterResult cluster) {
        String cpHash = caHash(node("cp1"));
        assertEquals(apiServerEndpoint(), cluster.controlPlane().apiServerEndpoint());
        assertEquals(cpHash, cluster.controlPlane().caCertHash());
        assertEquals(List.of("worker1", "worker2"), cluster.workers().stream().map(KubeadmSteps.JoinResult::node).toList());
        for (KubeadmSteps.JoinResult w : cluster.workers()) {
            assertEquals(apiServerEndpoint(), w.apiServerEndpoint(), w.node());
            assertEquals(cpHash, w.caCertHash(), w.node());
            TestNode n = node(w.node());
            assertEquals(cpHash, caHash(n), w.node() + " trusts another CA");
            assertTrue(n.sh("cat /etc/kubernetes/kubelet.conf").contains("server: https://" + apiServerEndpoint()), w.node());
            assertEquals("active", n.sh("systemctl is-active kubelet").trim(), w.node());
        }
        assertEquals("active", node("cp1").sh("systemctl is-active kubelet").trim());
    }

    @Test
    @Order(1)
    void initThenBothWorkersJoinInParallelAndReportThisControlPlane() {
        // The steps buildCluster chains, one by one, so the token can be looked at before it is deleted.
        KubeadmSteps.InitResult init = steps.kubeadmInit(controlPlane, KubeadmInitParams.defaults());
        remember(init.joinCommand());
        ClusterFixture.ClusterResult cluster = new ClusterFixture.ClusterResult(init,
                steps.joinWorkers(workers, init.joinCommand(), KubeadmSteps.DEFAULT_DISCOVERY_TIMEOUT), false);

        assertTrue(cluster.controlPlane().initialized());
        assertEquals("v1.34.1", cluster.controlPlane().kubernetesVersion());
        assertTrue(cluster.workers().stream().allMatch(KubeadmSteps.JoinResult::joined));
        assertJoinedToTheControlPlane(cluster);
        TestNode cp = node("cp1");
        String apiServer = cp.sh("cat /etc/kubernetes/manifests/kube-apiserver.yaml");
        assertTrue(apiServer.contains("--advertise-address=" + cp.address()), "advertise address defaults to the primary address");
        assertTrue(apiServer.contains("--service-cluster-ip-range=10.96.0.0/12"));
        assertTrue(cp.sh("cat /etc/kubernetes/manifests/kube-controller-manager.yaml").contains("--cluster-cidr=10.244.0.0/16"));
        assertTrue(cp.sh("cat /var/lib/kubelet/config.yaml").contains("cgroupDriver: systemd"));
        assertTrue(cp.sh("cat /var/lib/kubelet/kubeadm-flags.env").contains("--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock"));
        assertEquals("root 600", cp.sh("stat -c '%U %a' /root/.kube/config").trim());
        assertEquals(cp.sh("sha256sum < /etc/kubernetes/admin.conf"), cp.sh("sha256sum < /root/.kube/config"));
        // The join token lives 30 minutes (JOIN_TOKEN_TTL's default).
        long expires = Long.parseLong(cp.sh("sed -n 's/^expiration=//p' /var/lib/etcd/stand-in/secrets/kube-system/bootstrap-token-"
                + lastJoinCommand.tokenId()).trim());
        long ttl = expires - Instant.now().getEpochSecond();
        assertTrue(ttl > 28 * 60 && ttl <= 30 * 60, "token TTL " + ttl + " s");
        // Once every worker has joined, the token goes; deleting it again finds it gone.
        assertTrue(steps.deleteJoinToken(controlPlane, lastJoinCommand.tokenId()));
        assertFalse(cp.ssh("test -e /var/lib/etcd/stand-in/secrets/kube-system/bootstrap-token-" + lastJoinCommand.tokenId()).ok(),
                "the join token is still there");
        assertFalse(steps.deleteJoinToken(controlPlane, lastJoinCommand.tokenId()));
        assertTrue(Files.exists(logs.root().resolve("cp1/03-kubeadm-init.log")), "logs: " + listLogs());
        assertTrue(Files.exists(logs.root().resolve("worker2/03-kubeadm-join.log")), "logs: " + listLogs());
    }

    @Test
    @Order(2)
    void runningEverythingAgainChangesNothingAndSucceeds() {
        Map<String, String> files = new HashMap<>();
        Map<String, String> kubeletPid = new HashMap<>();
        for (TestNode n : nodes.nodes()) {
            files.put(n.name(), n.sh(CLUSTER_FILES));
            kubeletPid.put(n.name(), n.sh("systemctl show -p MainPID --value kubelet").trim());
        }
        ClusterFixture.ClusterResult again = ClusterFixture.buildCluster(steps, controlPlane, workers, KubeadmInitParams.defaults());
        remember(again.controlPlane().joinCommand());

        assertFalse(again.controlPlane().initialized(), "the control plane was initialized again");
        assertTrue(again.workers().stream().noneMatch(KubeadmSteps.JoinResult::joined), "a worker joined again");
        assertJoinedToTheControlPlane(again);
        for (TestNode n : nodes.nodes()) {
            assertEquals(files.get(n.name()), n.sh(CLUSTER_FILES), n + ": a second run changed a file");
            assertEquals(kubeletPid.get(n.name()), n.sh("systemctl show -p MainPID --value kubelet").trim(), n + ": kubelet restarted");
        }
    }

    @Test
    @Order(3)
    void initWithDifferentSettingsFailsAndNamesTheDifferences() {
        String before = node("cp1").sh(CLUSTER_FILES);
        ParallelStepRunner.StepFailedException e = assertThrows(ParallelStepRunner.StepFailedException.class,
                () -> steps.kubeadmInit(controlPlane, KubeadmInitParams.of("10.245.0.0/16", "10.97.0.0/16", null, null, null, null, false)));
        assertTrue(e.getMessage().contains("this node already runs a control plane with different settings"), e.getMessage());
        assertTrue(e.getMessage().contains("POD_NETWORK_CIDR is 10.244.0.0/16 on the running control plane, 10.245.0.0/16 requested"), e.getMessage());
        assertTrue(e.getMessage().contains("SERVICE_CIDR is 10.96.0.0/12 on the running control plane, 10.97.0.0/16 requested"), e.getMessage());
        assertFalse(e.getMessage().contains("APISERVER_ADVERTISE_ADDRESS"), "only what differs is named: " + e.getMessage());
        assertEquals(before, node("cp1").sh(CLUSTER_FILES), "a refused init changed the control plane");
    }

    @Test
    @Order(4)
    void garbledExpiredAndWrongHashJoinCommandsEachFailWithAClearReason() throws Exception {
        // buildCluster deleted its token after the joins: a fresh one for this test (the control plane is unchanged).
        remember(steps.kubeadmInit(controlPlane, KubeadmInitParams.defaults()).joinCommand());
        steps.resetNodes(List.of(workers.get(1)));
        TestNode worker2 = node("worker2");
        String endpoint = lastJoinCommand.apiServerEndpoint().toString();

        // Garbled: the script refuses it before touching anything, without echoing it.
        byte[] garbled = ("kubeadm join --token " + lastJoinCommand.token() + " --discovery-token-ca-cert-hash\n").getBytes(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        ExecResult result = workers.get(1).run(new StepRequest(StepScript.load("kubeadm-join.sh"), Map.of(), Map.of("JOIN_COMMAND_FILE", garbled)),
                new RedactingLineSink((n, s, t) -> lines.add(t), redactor), STEP_TIMEOUT, Cancellation.none());
        assertEquals(1, result.exitStatus());
        String error = lines.stream().filter(l -> l.startsWith("ERROR: ")).reduce((a, b) -> b).orElseThrow();
        assertTrue(error.contains("does not hold a usable kubeadm join command: --discovery-token-ca-cert-hash has no value"), error);
        assertFalse(String.join("\n", lines).contains(lastJoinCommand.token().substring(7)));
        assertFalse(worker2.ssh("test -e /etc/kubernetes/kubelet.conf").ok(), "a garbled command changed the node");

        // Wrong CA hash: the control plane's CA is not the pinned one.
        JoinCommand wrongHash = JoinCommand.of(endpoint, lastJoinCommand.token(), List.of("sha256:" + "0".repeat(64)));
        ParallelStepRunner.StepFailedException pin = assertThrows(ParallelStepRunner.StepFailedException.class,
                () -> steps.joinWorkers(List.of(workers.get(1)), wrongHash, Duration.ofSeconds(20)));
        assertEquals(List.of("worker2"), pin.failed().stream().map(NodeStepResult::node).toList());
        assertTrue(pin.getMessage().contains("the control plane's CA does not match the pinned --discovery-token-ca-cert-hash"), pin.getMessage());
        assertTrue(pin.getMessage().contains("none of the public keys \"" + caHash(node("cp1")) + "\" are pinned"), pin.getMessage());

        // Expired token: known to the control plane for one second only.
        String expired = JoinSecrets.newBootstrapToken();
        JoinCommand expiredJoin = JoinCommand.of(endpoint, expired, lastJoinCommand.caCertHashes());
        secrets.addAll(expiredJoin.secrets());
        redactor.addAll(expiredJoin.secrets());
        Host.Result created = node("cp1").ssh("umask 077; read -r t; f=$(mktemp); printf 'apiVersion: kubeadm.k8s.io/v1beta4\\nkind: InitConfiguration\\n"
                + "bootstrapTokens:\\n- token: \"%s\"\\n  ttl: 1s\\n' \"$t\" > \"$f\"; kubeadm token create --config \"$f\" >/dev/null; s=$?; rm -f \"$f\"; exit $s",
                (expired + "\n").getBytes(StandardCharsets.UTF_8));
        assertTrue(created.ok(), created.stderr());
        Thread.sleep(2500);
        ParallelStepRunner.StepFailedException old = assertThrows(ParallelStepRunner.StepFailedException.class,
                () -> steps.joinWorkers(List.of(workers.get(1)), expiredJoin, Duration.ofSeconds(5)));
        assertTrue(old.getMessage().contains("worker2: exit 1: ERROR: kubeadm join failed: the control plane does not know token "
                + expiredJoin.tokenId() + " or it has expired"), old.getMessage());

        // Wrong secret half for a token id the control plane knows.
        JoinCommand wrongSecret = JoinCommand.of(endpoint, lastJoinCommand.tokenId() + ".zzzzzzzzzzzzzzzz", lastJoinCommand.caCertHashes());
        ParallelStepRunner.StepFailedException secret = assertThrows(ParallelStepRunner.StepFailedException.class,
                () -> steps.joinWorkers(List.of(workers.get(1)), wrongSecret, Duration.ofSeconds(20)));
        assertTrue(secret.getMessage().contains("the token's secret is wrong"), secret.getMessage());

        List<KubeadmSteps.JoinResult> rejoined = steps.joinWorkers(List.of(workers.get(1)), lastJoinCommand, KubeadmSteps.DEFAULT_DISCOVERY_TIMEOUT);
        assertTrue(rejoined.get(0).joined());
        assertEquals(caHash(node("cp1")), caHash(worker2));
        // The failed join's log ends with the failure and then the diagnostics the script appended.
        String failedLog = Files.readString(logs.root().resolve("worker2/07-kubeadm-join.log"));
        int failure = failedLog.indexOf("FAILED: worker2: exit 1: ERROR: kubeadm join failed: the control plane does not know token");
        int diagnostics = failedLog.indexOf("== diagnostics: diagnostics ==");
        assertTrue(failure > 0 && diagnostics > failure, failedLog);
        String tail = failedLog.substring(diagnostics);
        assertTrue(tail.contains("--- kubelet journal") && tail.contains("--- containerd status") && tail.contains("--- running containers")
                && tail.contains("--- kubeadm output at --v=5") && tail.contains("could not find a JWS signature"), tail);
    }

    @Test
    @Order(5)
    void theCronRebuildCycleWorksAndTheSshSessionThatRanTheResetStaysOpen() throws Exception {
        TestNode cp = node("cp1");
        String oldHash = caHash(cp);
        // What kube-proxy and the CNI plugins leave, plus the admin's own firewall: INPUT drops
        // everything but SSH, the API server and established connections. Flushing INPUT or changing
        // its policy would cut SSH.
        cp.sh(String.join(" && ",
                "iptables -t nat -N KUBE-SERVICES", "iptables -t nat -A KUBE-SERVICES -j RETURN",
                "iptables -t nat -A PREROUTING -m comment --comment 'kubernetes service portals' -j KUBE-SERVICES",
                "iptables -N KUBE-FIREWALL", "iptables -A INPUT -j KUBE-FIREWALL", "iptables -N CNI-HOSTPORT-DNAT",
                "iptables -N FLANNEL-FWD", "iptables -A FORWARD -j FLANNEL-FWD", "iptables -N WEAVE-NPC",
                "iptables -N LAB-ADMIN", "iptables -A LAB-ADMIN -p tcp --dport 22 -j ACCEPT", "iptables -A LAB-ADMIN -p tcp --dport 6443 -j ACCEPT",
                "iptables -A INPUT -i lo -j ACCEPT", "iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                "iptables -A INPUT -j LAB-ADMIN", "iptables -P INPUT DROP",
                "ip link add cni0 type bridge", "ip link add flannel.1 type vxlan id 1 dstport 8472",
                "mkdir -p /etc/cni/net.d", "echo '{}' > /etc/cni/net.d/10-flannel.conflist", "mkdir -p /var/lib/cni/networks"));
        String userRules = cp.sh("iptables -S LAB-ADMIN");

        try (SshClient client = ClusterTestSupport.clientFor(cp)) {
            try (ClientSession held = ClusterTestSupport.heldSession(client, cp)) {
                assertEquals("before", held.executeRemoteCommand("echo before").trim());

                steps.resetNodes(runners);

                assertEquals("still open", held.executeRemoteCommand("echo still open").trim(), "the reset cut the SSH session");
                for (TestNode n : nodes.nodes()) {
                    assertEquals("", n.sh("ls -d /etc/kubernetes /var/lib/kubelet /var/lib/etcd /var/lib/cni 2>/dev/null; true").trim(), n.name());
                    // Emptied but kept: containerd watches it for the next CNI config.
                    assertEquals("", n.sh("ls -A /etc/cni/net.d").trim(), n.name());
                    assertEquals("inactive", n.sh("systemctl is-active kubelet; true").trim(), n.name());
                    assertEquals("", n.sh("ss -Hltn 'sport = :6443 or sport = :10250'").trim(), n + ": ports still held");
                }
                String rules = cp.sh("iptables-save");
                assertFalse(rules.matches("(?s).*(KUBE-|CNI-|FLANNEL|WEAVE).*"), rules);
                assertEquals(userRules, cp.sh("iptables -S LAB-ADMIN"), "the admin's own chain was touched");
                assertTrue(cp.sh("iptables -S INPUT").startsWith("-P INPUT DROP\n"), "the INPUT policy was changed");
                assertTrue(cp.sh("iptables -S INPUT").contains("-A INPUT -j LAB-ADMIN"));
                assertFalse(cp.ssh("ip link show cni0").ok() || cp.ssh("ip link show flannel.1").ok(), "CNI interfaces left");

                // Resetting a clean node succeeds too.
                steps.resetNodes(runners);

                ClusterFixture.ClusterResult rebuilt = ClusterFixture.buildCluster(steps, controlPlane, workers,
                        KubeadmInitParams.of(null, null, null, null, "1.34", null, true));
                remember(rebuilt.controlPlane().joinCommand());
                assertTrue(rebuilt.controlPlane().initialized());
                assertTrue(rebuilt.workers().stream().allMatch(KubeadmSteps.JoinResult::joined));
                assertJoinedToTheControlPlane(rebuilt);
                assertNotEquals(oldHash, rebuilt.controlPlane().caCertHash(), "a rebuilt cluster has a new CA");
                assertEquals("", cp.sh("kubectl --kubeconfig /etc/kubernetes/admin.conf get node cp1 -o 'jsonpath={.spec.taints[*].key}'").trim(),
                        "CONTROL_PLANE_SCHEDULABLE=true leaves no control-plane taint");
                assertEquals("alive", held.executeRemoteCommand("echo alive").trim());
            }
        } finally {
            cp.ssh("iptables -P INPUT ACCEPT");
        }
    }

    @Test
    @Order(6)
    void noSecretReachesAnyFileTheRunWroteNorTheConsole() throws Exception {
        // A live token, so that the search below can prove it finds one where the control plane keeps it.
        remember(steps.kubeadmInit(controlPlane, KubeadmInitParams.of(null, null, null, null, "1.34", null, true)).joinCommand());
        assertTrue(node("cp1").ssh("test -e /var/lib/etcd/stand-in/secrets/kube-system/bootstrap-token-" + lastJoinCommand.tokenId()).ok());
        // A line that carries the token in two writes, through the same logs as every step.
        String token = lastJoinCommand.token();
        StepLogSink logSink = new StepLogSink(logs, console);
        logSink.beginStep("cp1", "split-token");
        StepScript split = new StepScript("split-token.sh", ("#!/usr/bin/env bash\nset -euo pipefail\nt=$(cat \"$TOKEN_FILE\")\n"
                + "printf 'token in two writes: %s' \"${t:0:10}\"\nsleep 0.5\nprintf '%s (end)\\n' \"${t:10}\"\n"
                + "printf 'secret half alone: %s\\n' \"${t:7}\"\n").getBytes(StandardCharsets.UTF_8), StepScript.load("kubeadm-init.sh").commonLibrary());
        ExecResult printed = controlPlane.run(new StepRequest(split, Map.of(), Map.of("TOKEN_FILE", (token + "\n").getBytes(StandardCharsets.UTF_8))),
                logSink, STEP_TIMEOUT, Cancellation.none());
        assertTrue(printed.succeeded());
        logSink.succeedStep("cp1");
        console.finish();
        String splitLog = Files.readString(logs.root().resolve("cp1").resolve(lastLog("cp1", "split-token")));
        assertTrue(splitLog.contains("token in two writes: **** (end)"), splitLog);
        assertTrue(splitLog.contains("secret half alone: ****"), splitLog);

        List<String> searched = List.copyOf(secrets);
        assertTrue(searched.size() >= 12, "secrets of four join commands and the expired token: " + searched.size());
        // The workspace: every step log and anything else the run put there.
        assertEquals(List.of(), filesContaining(workspace, searched, Instant.EPOCH));
        // This machine's temporary files written during the run.
        assertEquals(List.of(), filesContaining(Path.of(System.getProperty("java.io.tmpdir")), searched, started));
        // The captured console.
        String consoleText = consoleBytes.toString(StandardCharsets.UTF_8);
        assertTrue(consoleText.contains("[cp1] ==> kubeadm init"), "the console was captured");
        for (String secret : searched) {
            assertFalse(consoleText.contains(secret), "the console shows a secret");
        }
        // Every node: all files but the root-only etcd data (which holds tokens, as etcd does), and the journal.
        byte[] patterns = (String.join("\n", searched) + "\n").getBytes(StandardCharsets.UTF_8);
        for (TestNode n : nodes.nodes()) {
            Host.Result files = n.ssh("grep -rlsF -f - / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev; true", patterns);
            String hits = files.stdout().lines().filter(path -> !path.startsWith("/var/lib/etcd/")).reduce("", (a, b) -> a + b + "\n");
            assertEquals("", hits, n + ": files outside /var/lib/etcd hold a join secret");
            Host.Result journal = n.ssh("journalctl --no-pager -o cat | grep -cF -f -; true", patterns);
            assertEquals("0", journal.stdout().trim(), n + ": the journal holds a join secret");
            if (n.name().equals("cp1")) {
                // The search works: it finds the live token where the control plane keeps it, root-only.
                assertTrue(files.stdout().contains("/var/lib/etcd/stand-in/secrets/kube-system/bootstrap-token-" + lastJoinCommand.tokenId()),
                        files.stdout() + files.stderr());
                assertEquals("root 700", n.sh("stat -c '%U %a' /var/lib/etcd").trim(), "the token store is root-only");
            }
        }
    }

    static String lastLog(String node, String step) throws IOException {
        try (Stream<Path> files = Files.list(logs.root().resolve(node))) {
            return files.map(p -> p.getFileName().toString()).filter(name -> name.endsWith("-" + step + ".log")).sorted()
                    .reduce((a, b) -> b).orElseThrow();
        }
    }

    static String listLogs() {
        try (Stream<Path> files = Files.walk(logs.root())) {
            return files.filter(Files::isRegularFile).map(p -> logs.root().relativize(p).toString()).sorted().toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Regular files under root modified since {@code since} that contain any secret, byte for byte. */
    static List<Path> filesContaining(Path root, List<String> needles, Instant since) throws IOException {
        List<Path> hits = new ArrayList<>();
        List<byte[]> patterns = needles.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                FileTime modified = attrs.lastModifiedTime();
                if (attrs.isRegularFile() && attrs.size() < 64L << 20 && !modified.toInstant().isBefore(since)) {
                    try {
                        String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                        for (byte[] p : patterns) {
                            if (content.contains(new String(p, StandardCharsets.ISO_8859_1))) {
                                hits.add(file);
                                break;
                            }
                        }
                    } catch (IOException unreadable) {
                        // another process's file vanished or is not ours to read
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return hits;
    }
}
