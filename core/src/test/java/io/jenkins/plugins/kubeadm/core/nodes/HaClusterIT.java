package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import io.jenkins.plugins.kubeadm.core.cluster.AdminKubeconfig;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.Kubeconfig;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.CollectedRun;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.logs.ConsoleLineSink;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.core.phases.Phase;
import io.jenkins.plugins.kubeadm.core.phases.PhaseContext;
import io.jenkins.plugins.kubeadm.core.phases.PhaseRunner;
import io.jenkins.plugins.kubeadm.core.phases.RemoveNodesPhase;
import io.jenkins.plugins.kubeadm.core.phases.RenewCertificatesPhase;
import io.jenkins.plugins.kubeadm.core.plan.ClusterRun;
import io.jenkins.plugins.kubeadm.core.plan.KubeadmClusterPlan;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import io.jenkins.plugins.kubeadm.core.testnodes.Host;
import io.jenkins.plugins.kubeadm.core.testnodes.KubernetesTestBed;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A highly available Kubernetes v1.26.1 cluster from kubeadmCluster's plan (core's ClusterRun, as the
 * command-line runner and the plugin run it): three control planes and a worker, each node reaching
 * the API servers through its own haproxy (apiServerLoadBalancer haproxy). The first control plane
 * taken off the network leaves the cluster working; the certificate key is nowhere the run wrote;
 * a control plane joins again after the uploaded certificates are gone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaClusterIT {

    static final String KUBECTL = "kubectl --kubeconfig /etc/kubernetes/admin.conf ";
    static final List<String> CONTROL_PLANES = List.of("cp1", "cp2", "cp3");

    static RealTestBed bed;
    static TestNodes nodes;
    static final Map<String, KeyRecordingRunner> runners = new LinkedHashMap<>();
    static Path workspace;
    static StepLogs logs;
    static final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    static ConsoleLineSink console;
    static final List<String> said = new CopyOnWriteArrayList<>();
    static Instant started;
    static String inventoryText;
    static Inventory inventory;
    static final Map<String, Long> phases = new LinkedHashMap<>();

    @BeforeAll
    static void startTheTestBed() throws Exception {
        started = Instant.now().minusSeconds(5);
        bed = RealTestBed.start(KubernetesTestBed.ensure(), "cp1", "cp2", "cp3", "worker1");
        nodes = bed.nodes();
        for (TestNode n : nodes.nodes()) {
            runners.put(n.name(), new KeyRecordingRunner(n.runner()));
        }
        inventoryText = bed.inventoryText();
        inventory = Inventory.parse(inventoryText);
        workspace = Files.createTempDirectory("ha-cluster-it-workspace");
        logs = new StepLogs(workspace, new SecretRedactor());
        OutputStream tee = ClusterTestSupport.consoleCapturedIn(consoleBytes);
        console = new ConsoleLineSink(tee, logs.redactor());
    }

    @AfterAll
    static void stopEverything() throws Exception {
        System.out.println("[ha-cluster] phase times: " + phases);
        for (KeyRecordingRunner r : runners.values()) {
            r.close();
        }
        if (bed != null) {
            bed.close();
        }
        if (workspace != null) {
            Host.attempt("rm", "-rf", workspace.toString());
        }
    }

    static TestNode node(String name) {
        return nodes.node(name);
    }

    /** kubeadmCluster's values for this test bed, several control planes behind haproxy on every node. */
    static KubeadmClusterPlan plan() {
        Map<String, Object> values = bed.planValues(inventoryText);
        values.put("apiServerLoadBalancer", "haproxy");
        return KubeadmClusterPlan.of(values);
    }

    static void run(List<Phase> phasesToRun) {
        try (ClusterRun run = new ClusterRun(plan(), inventory, runners, logs, console, said::add, RealClusterIT.STEP_TIMEOUT,
                Cancellation.none())) {
            run.run(phasesToRun);
        }
    }

    static long phase(String name, long startNanos) {
        long seconds = Math.round((System.nanoTime() - startNanos) / 1e9);
        phases.put(name, seconds);
        System.out.printf("[ha-cluster] PHASE %s: %d s%n", name, seconds);
        return System.nanoTime();
    }

    /**
     * What etcd says, asked from a control plane with kubeadm's health-check client certificate: each
     * member of its member list, one line each, "ADDRESS is healthy" or "ADDRESS is unhealthy".
     */
    static String etcdHealth(TestNode cp) {
        String tls = " --cacert /etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/etcd/healthcheck-client.crt"
                + " --key /etc/kubernetes/pki/etcd/healthcheck-client.key";
        String members = cp.ssh("curl -s --max-time 5" + tls + " -X POST -d '{}' https://127.0.0.1:2379/v3/cluster/member/list; true").stdout();
        java.util.regex.Matcher url = java.util.regex.Pattern.compile("\"clientURLs\":\\[\"https://([0-9.]+):2379\"").matcher(members);
        StringBuilder health = new StringBuilder();
        while (url.find()) {
            String answer = cp.ssh("curl -s --max-time 3" + tls + " https://" + url.group(1) + ":2379/health; true").stdout();
            health.append(url.group(1)).append(answer.contains("\"health\":\"true\"") ? " is healthy" : " is unhealthy").append('\n');
        }
        return health.length() == 0 ? "no member list: " + members : health.toString();
    }

    static long count(String text, String word) {
        return text.lines().filter(l -> l.contains(word)).count();
    }

    /** Waits until the condition holds, printing what it saw; fails with the last of it. */
    static String await(String what, Duration limit, Supplier<String> probe, java.util.function.Predicate<String> done) throws Exception {
        Instant end = Instant.now().plus(limit);
        String seen = "";
        while (Instant.now().isBefore(end)) {
            seen = probe.get();
            if (done.test(seen)) {
                return seen;
            }
            System.out.println("[ha-cluster] waiting for " + what + ": " + seen.replace('\n', ' '));
            Thread.sleep(5000);
        }
        throw new AssertionError(what + " not within " + limit + "; last seen: " + seen);
    }

    @Test
    @Order(1)
    void threeControlPlanesAndAWorkerFormAClusterThroughHaproxyOnEveryNode() {
        long t = System.nanoTime();
        run(List.of(Phase.PREPARE, Phase.RUNTIME, Phase.CONTROL_PLANE, Phase.CNI, Phase.WORKERS));
        phase("HA cluster formed (prepare to workers)", t);

        TestNode cp2 = node("cp2");
        String ready = cp2.sh(KUBECTL + "get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type==\"Ready\")].status}"
                + "{\"\\n\"}{end}'");
        assertEquals("cp1 True\ncp2 True\ncp3 True\nworker1 True", ready.lines().sorted().reduce((a, b) -> a + "\n" + b).orElse(""));
        assertEquals(3, count(cp2.sh(KUBECTL + "get nodes -l node-role.kubernetes.io/control-plane -o name"), "node/"));
        String health = etcdHealth(cp2);
        assertEquals(3, count(health, "is healthy"), health);
        for (TestNode n : nodes.nodes()) {
            assertEquals("active", n.sh("systemctl is-active kubeadm-api-load-balancer").trim(), n.name());
            String config = n.sh("cat /etc/kubeadm-pipeline/api-load-balancer.cfg");
            for (String cp : CONTROL_PLANES) {
                assertTrue(config.contains(node(cp).address() + ":6443"), n.name() + " forwards to " + cp + ":\n" + config);
            }
            assertTrue(n.sh("cat /etc/kubernetes/kubelet.conf").contains("server: https://127.0.0.1:8443"), n.name());
        }
        for (String cp : CONTROL_PLANES) {
            assertTrue(node(cp).sh("cat /etc/kubernetes/manifests/kube-apiserver.yaml").contains("--advertise-address=" + node(cp).address()), cp);
        }
        assertTrue(said.stream().anyMatch(l -> l.startsWith("kubeadmInit: cp3 joined as a control plane of 127.0.0.1:8443")), said.toString());
        assertEquals(1, KeyRecordingRunner.certificateKeys.size(), "one certificate key for the run");
    }

    @Test
    @Order(2)
    void withTheFirstControlPlaneOffTheNetworkTheApiAnswersANewPodRunsAndEtcdHasTwoHealthyMembers() throws Exception {
        long t = System.nanoTime();
        TestNode cp1 = node("cp1");
        TestNode cp2 = node("cp2");
        TestNode worker1 = node("worker1");
        String veth = hostSideOf(cp1);
        Host.run("ip", "link", "set", "dev", veth, "down");
        try {
            // Through the worker's own haproxy: the worker's kubelet credentials may read Nodes.
            await("the API through worker1's haproxy", Duration.ofMinutes(1),
                    () -> worker1.ssh("curl -sk --max-time 5 https://127.0.0.1:8443/readyz; true").stdout(), "ok"::equals);
            String pod = RealClusterIT.pod("after-cp1-left", "", KubernetesTestBed.WEB_IMAGE, null).replace("  nodeName: \n", "");
            cp2.ssh(KUBECTL + "apply -f -", pod.getBytes(StandardCharsets.UTF_8));
            await("the new pod running", Duration.ofMinutes(3),
                    () -> cp2.ssh(KUBECTL + "get pod after-cp1-left -o jsonpath='{.status.phase} {.spec.nodeName}'; true").stdout(),
                    s -> s.startsWith("Running "));
            String health = await("etcd with cp1 away", Duration.ofMinutes(1), () -> etcdHealth(cp2),
                    s -> count(s, "is healthy") == 2 && count(s, "is unhealthy") == 1);
            assertTrue(health.lines().filter(l -> l.contains("is unhealthy")).allMatch(l -> l.contains(cp1.address())), health);
            phase("cp1 away: API, a new pod, etcd 2 of 3", t);
        } finally {
            Host.run("ip", "link", "set", "dev", veth, "up");
        }
        t = System.nanoTime();
        await("etcd with cp1 back", Duration.ofMinutes(2), () -> etcdHealth(cp2), s -> count(s, "is healthy") == 3);
        await("cp1 Ready again", Duration.ofMinutes(2), () -> cp2.ssh(KUBECTL
                + "get node cp1 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}'; true").stdout(), "True"::equals);
        cp2.sh(KUBECTL + "delete pod after-cp1-left --wait=false");
        phase("cp1 back: etcd 3 of 3", t);
    }

    /** removeNode's phase on the given nodes, the cluster reached through cp2's admin kubeconfig as a step fetches it. */
    static void removeNodes(String... names) throws Exception {
        KeyRecordingRunner cp2 = runners.get("cp2");
        String kubeconfig = AdminKubeconfig.fetch(cp2, console, Duration.ofMinutes(1), Cancellation.none());
        logs.redactor().addKubeconfig(kubeconfig);
        List<ScriptRunner> removed = java.util.Arrays.stream(names).map(n -> (ScriptRunner) runners.get(n)).toList();
        List<ScriptRunner> controlPlanes = CONTROL_PLANES.stream().map(n -> (ScriptRunner) runners.get(n)).toList();
        try (KubeadmSteps steps = new KubeadmSteps(logs, console, RealClusterIT.STEP_TIMEOUT, Cancellation.none());
             ClusterSteps cluster = ClusterSteps.using(Kubeconfig.fromContent(kubeconfig).connect(), AddonCatalog.load(),
                     ClusterSteps.progressTo(console, "cluster"))) {
            PhaseRunner.run(List.of(new RemoveNodesPhase(120)), new PhaseContext(ClusterNodes.pickedWith(removed, controlPlanes,
                    name -> name.startsWith("cp") ? "control-plane" : "worker"), steps, said::add, () -> cluster));
        }
    }

    @Test
    @Order(3)
    void removeNodeTakesAControlPlaneOfThreeOutOfEtcdAndTheClusterAndRefusesOneOfTwo() throws Exception {
        long t = System.nanoTime();
        TestNode cp2 = node("cp2");
        removeNodes("cp3");
        phase("removeNode cp3 (drain, delete, etcd member, reset)", t);
        String health = etcdHealth(cp2);
        assertEquals(2, count(health, "is healthy"), health);
        assertFalse(health.contains(node("cp3").address()), health);
        await("two Ready control planes", Duration.ofMinutes(2), () -> cp2.ssh(KUBECTL + "get nodes -l node-role.kubernetes.io/control-plane"
                + " -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}'; true")
                .stdout().trim(), "cp1 True\ncp2 True"::equals);
        assertFalse(node("cp3").ssh("test -e /etc/kubernetes/manifests/etcd.yaml").ok(), "cp3 was reset");
        assertTrue(said.stream().anyMatch(l -> l.equals("removeNode: etcd member cp3 removed; etcd has 2 members: cp1, cp2")), said.toString());

        // One of two: etcd would be left without a majority; nothing changes.
        ParameterException refused = org.junit.jupiter.api.Assertions.assertThrows(ParameterException.class, () -> removeNodes("cp2"));
        assertTrue(refused.getMessage().contains("removing cp2 would leave etcd 1 healthy member of 2"), refused.getMessage());
        assertEquals(2, count(etcdHealth(cp2), "is healthy"));
        assertEquals("", cp2.sh(KUBECTL + "get node cp2 -o jsonpath='{.spec.unschedulable}'").trim(), "cp2 was not cordoned");
    }

    @Test
    @Order(4)
    void aControlPlaneJoinsAgainAfterTheUploadedCertificatesAreGone() throws Exception {
        long t = System.nanoTime();
        TestNode cp2 = node("cp2");
        // kubeadm deletes the uploaded certificates two hours after an upload: gone now.
        cp2.sh(KUBECTL + "-n kube-system delete secret kubeadm-certs");
        run(List.of(Phase.CONTROL_PLANE));
        phase("cp3 joins again after the certificates were gone", t);
        String health = etcdHealth(cp2);
        assertEquals(3, count(health, "is healthy"), health);
        assertEquals("True", cp2.sh(KUBECTL + "get node cp3 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}'").trim());
        assertEquals(2, KeyRecordingRunner.certificateKeys.size(), "a fresh certificate key for the second run");
        assertTrue(said.stream().anyMatch(l -> l.startsWith("kubeadmInit: cp1 already ran this control plane")), said.toString());
        assertTrue(said.stream().anyMatch(l -> l.startsWith("kubeadmInit: cp2 was already a control plane")), said.toString());
        assertTrue(said.stream().anyMatch(l -> l.startsWith("kubeadmInit: cp3 joined as a control plane")), said.toString());
    }

    @Test
    @Order(5)
    void renewingTheCertificatesOneControlPlaneAtATimeKeepsTheApiAnswering() throws Exception {
        long t = System.nanoTime();
        TestNode worker1 = node("worker1");
        // kubeadm signs a certificate with its CA's NotBefore: a renewal shows in NotAfter (a year from the renewal).
        Map<String, String> notAfter = new LinkedHashMap<>();
        for (String cp : CONTROL_PLANES) {
            notAfter.put(cp, node(cp).sh("openssl x509 -in /etc/kubernetes/pki/apiserver.crt -noout -enddate").trim());
        }
        // The API as a client sees it through worker1's haproxy, asked again and again while the control planes restart.
        // A request that reaches an API server in the seconds before haproxy's checks notice its restart fails (the
        // connection cut, or a 403 from a server still loading its roles); the client's next try goes to another one.
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        List<String> retried = new CopyOnWriteArrayList<>();
        List<String> unanswered = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean renewing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread probe = new Thread(() -> {
            while (renewing.get()) {
                String answer = worker1.ssh("curl -sk --max-time 3 https://127.0.0.1:8443/readyz; true").stdout().trim();
                asked.incrementAndGet();
                if (!answer.equals("ok")) {
                    retried.add(Instant.now() + " " + answer.replace('\n', ' '));
                    String again = worker1.ssh("curl -sk --max-time 3 https://127.0.0.1:8443/readyz; true").stdout().trim();
                    if (!again.equals("ok")) {
                        unanswered.add(Instant.now() + " " + again.replace('\n', ' '));
                    }
                }
            }
        });
        probe.start();
        List<ScriptRunner> controlPlanes = CONTROL_PLANES.stream().map(n -> (ScriptRunner) runners.get(n)).toList();
        try (KubeadmSteps steps = new KubeadmSteps(logs, console, RealClusterIT.STEP_TIMEOUT, Cancellation.none())) {
            PhaseRunner.run(List.of(new RenewCertificatesPhase(true)), new PhaseContext(ClusterNodes.pickedWith(controlPlanes,
                    controlPlanes, name -> "control-plane"), steps, said::add, null));
        } finally {
            renewing.set(false);
            probe.join();
        }
        phase("renewCertificates on three control planes, the API asked " + asked.get() + " times, " + retried.size()
                + " answered on the second try", t);
        System.out.println("[ha-cluster] answered on the second try: " + retried);
        assertEquals(List.of(), unanswered, "the API did not answer a request and its retry");
        assertTrue(asked.get() >= 20, "asked " + asked.get() + " times");
        for (String cp : CONTROL_PLANES) {
            assertFalse(notAfter.get(cp).equals(node(cp).sh("openssl x509 -in /etc/kubernetes/pki/apiserver.crt -noout -enddate").trim()),
                    cp + ": the API server certificate was not renewed");
        }
    }

    @Test
    @Order(6)
    void theCertificateKeysAreNowhereTheRunWrote() throws Exception {
        List<String> keys = List.copyOf(KeyRecordingRunner.certificateKeys);
        assertFalse(keys.isEmpty());
        console.finish();
        assertEquals(List.of(), KubeadmClusterIT.filesContaining(workspace, keys, Instant.EPOCH), "the workspace (step logs)");
        assertEquals(List.of(), KubeadmClusterIT.filesContaining(Path.of(System.getProperty("java.io.tmpdir")), keys, started),
                "this machine's temporary files");
        String consoleText = consoleBytes.toString(StandardCharsets.UTF_8);
        assertTrue(consoleText.contains("[cp1] ==> kubeadm init"), "the console was captured");
        for (String key : keys) {
            assertFalse(consoleText.contains(key), "the console shows a certificate key");
            assertTrue(said.stream().noneMatch(l -> l.contains(key)));
        }
        byte[] patterns = (String.join("\n", keys) + "\n").getBytes(StandardCharsets.UTF_8);
        for (TestNode n : nodes.nodes()) {
            Host.Result files = n.ssh("grep -rlsF -f - / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev --exclude-dir=etcd; true", patterns);
            assertEquals("", files.stdout().trim(), n + ": files hold a certificate key");
            Host.Result journal = n.ssh("journalctl --no-pager -o cat | grep -cF -f -; true", patterns);
            assertEquals("0", journal.stdout().trim(), n + ": the journal holds a certificate key");
        }
    }

    /** The host's end of a node's veth: taking it down takes the node off the network, as a powered-off machine. */
    static String hostSideOf(TestNode n) {
        String index = n.sh("cat /sys/class/net/host0/iflink").trim();
        for (String line : Host.run("ip", "-o", "link", "show").split("\n")) {
            String[] fields = line.split(": ", 3);
            if (fields.length >= 2 && fields[0].trim().equals(index)) {
                return fields[1].replaceFirst("@.*$", "");
            }
        }
        throw new IllegalStateException("no host interface with index " + index + " for " + n.name());
    }

    /**
     * A node reached over SSH that remembers the certificate keys kubeadmInit was handed, so the test
     * can search for them: the plugin's code never hands them out.
     */
    static final class KeyRecordingRunner implements ScriptRunner {
        static final Set<String> certificateKeys = new LinkedHashSet<>();
        private final SshScriptRunner ssh;

        KeyRecordingRunner(SshScriptRunner ssh) {
            this.ssh = ssh;
        }

        @Override
        public String nodeName() {
            return ssh.nodeName();
        }

        private void remember(StepRequest request) {
            byte[] key = request.privateFiles().get("CERTIFICATE_KEY_FILE");
            if (key != null) {
                certificateKeys.add(new String(key, StandardCharsets.US_ASCII).trim());
            }
        }

        @Override
        public ExecResult run(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) throws IOException {
            remember(request);
            return ssh.run(request, sink, timeout, cancellation);
        }

        @Override
        public CollectedRun runAndCollect(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) throws IOException {
            remember(request);
            return ssh.runAndCollect(request, sink, timeout, cancellation);
        }

        @Override
        public void close() throws IOException {
            ssh.close();
        }
    }
}
