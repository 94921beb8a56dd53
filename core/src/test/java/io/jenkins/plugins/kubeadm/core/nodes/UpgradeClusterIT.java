package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import io.jenkins.plugins.kubeadm.core.cluster.AdminKubeconfig;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterStepException;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.Kubeconfig;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.ConsoleLineSink;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.params.UpgradeClusterParams;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.core.phases.Phase;
import io.jenkins.plugins.kubeadm.core.phases.PhaseContext;
import io.jenkins.plugins.kubeadm.core.phases.PhaseRunner;
import io.jenkins.plugins.kubeadm.core.phases.UpgradeClusterPhase;
import io.jenkins.plugins.kubeadm.core.plan.ClusterRun;
import io.jenkins.plugins.kubeadm.core.plan.KubeadmClusterPlan;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import io.jenkins.plugins.kubeadm.core.testnodes.Host;
import io.jenkins.plugins.kubeadm.core.testnodes.KubernetesTestBed;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * upgradeCluster on a real cluster: one control plane and two workers at v1.26.1, built with
 * kubeadmCluster's plan, moved to the test bed's second release (v1.26.2, the same binaries with their
 * version string changed: no newer release can be had here) while a Deployment of two replicas under a
 * PodDisruptionBudget of minAvailable 1 keeps serving. A budget that blocks the drains is refused
 * before any change; a package repository unreachable from the second worker stops the roll-out there,
 * and a second run finishes it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpgradeClusterIT {

    static final String KUBECTL = RealClusterIT.KUBECTL;
    static final String FROM = "v" + KubernetesTestBed.KUBERNETES_VERSION;
    static final String TO = "v" + KubernetesTestBed.UPGRADE_VERSION;

    static RealTestBed bed;
    static TestNodes nodes;
    static Map<String, ScriptRunner> runners = new LinkedHashMap<>();
    static Path workspace;
    static StepLogs logs;
    static final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    static ConsoleLineSink console;
    static final List<String> said = new CopyOnWriteArrayList<>();
    static String inventoryText;
    static Inventory inventory;
    static final Map<String, Long> phases = new LinkedHashMap<>();
    /** The fewest ready replicas of the Deployment seen while upgradeCluster ran, and how many answers were read. */
    static final AtomicInteger fewestReady = new AtomicInteger(Integer.MAX_VALUE);
    static final AtomicInteger samples = new AtomicInteger();

    @BeforeAll
    static void startTheTestBed() throws Exception {
        bed = RealTestBed.startWithUpgradeRelease(KubernetesTestBed.ensure(), "cp1", "worker1", "worker2");
        nodes = bed.nodes();
        for (TestNode n : nodes.nodes()) {
            runners.put(n.name(), n.runner());
        }
        inventoryText = bed.inventoryText();
        inventory = Inventory.parse(inventoryText);
        workspace = Files.createTempDirectory("upgrade-cluster-it-workspace");
        logs = new StepLogs(workspace, new SecretRedactor());
        console = new ConsoleLineSink(ClusterTestSupport.consoleCapturedIn(consoleBytes), logs.redactor());
    }

    @AfterAll
    static void stopEverything() throws Exception {
        System.out.println("[upgrade-cluster] phase times: " + phases);
        for (ScriptRunner r : runners.values()) {
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

    static void phase(String name, long startNanos) {
        long seconds = Math.round((System.nanoTime() - startNanos) / 1e9);
        phases.put(name, seconds);
        System.out.printf("[upgrade-cluster] PHASE %s: %d s%n", name, seconds);
    }

    /** upgradeCluster's phase on the inventory's nodes, the cluster reached through cp1's admin kubeconfig as a step fetches it. */
    static void upgrade(UpgradeClusterParams params) throws Exception {
        String kubeconfig = AdminKubeconfig.fetch(runners.get("cp1"), console, Duration.ofMinutes(1), Cancellation.none());
        logs.redactor().addKubeconfig(kubeconfig);
        try (KubeadmSteps steps = new KubeadmSteps(logs, console, RealClusterIT.STEP_TIMEOUT, Cancellation.none());
             ClusterSteps cluster = ClusterSteps.using(Kubeconfig.fromContent(kubeconfig).connect(), AddonCatalog.load(),
                     ClusterSteps.progressTo(console, "cluster"))) {
            PhaseRunner.run(List.of(new UpgradeClusterPhase(params, null, "inventory")),
                    new PhaseContext(ClusterNodes.of(inventory, runners, "upgradeCluster"), steps, said::add, () -> cluster));
        }
    }

    static UpgradeClusterParams toTheSecondRelease() {
        return UpgradeClusterParams.of(KubernetesTestBed.UPGRADE_VERSION).withRepository(bed.repo().repoUrl("1.26"), null)
                .withIgnorePreflightErrors(RealClusterIT.IGNORED_PREFLIGHT).withDrainTimeoutSeconds(180);
    }

    /** Each Node's "NAME KUBELET-VERSION READY UNSCHEDULABLE", sorted. */
    static String nodeStates() {
        return node("cp1").sh(KUBECTL + "get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.status.nodeInfo.kubeletVersion}"
                + " {.status.conditions[?(@.type==\"Ready\")].status} {.spec.unschedulable}{\"\\n\"}{end}'").lines().map(String::trim).sorted()
                .reduce((a, b) -> a + "\n" + b).orElse("");
    }

    static String budget(String name, int minAvailable) {
        return String.join("\n", "apiVersion: policy/v1", "kind: PodDisruptionBudget", "metadata:", "  name: " + name,
                "  namespace: default", "spec:", "  minAvailable: " + minAvailable, "  selector:", "    matchLabels:", "      app: web", "");
    }

    /** Reads the Deployment's ready replicas every second while {@code body} runs (an answer that cannot be had is no sample). */
    static void sampled(ThrowingRunnable body) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                Host.Result r = node("cp1").ssh(KUBECTL + "get deployment web -o jsonpath='{.status.readyReplicas}' --request-timeout=3s");
                if (r.exitStatus() == 0) {
                    String ready = r.stdout().trim();
                    fewestReady.accumulateAndGet(ready.isEmpty() ? 0 : Integer.parseInt(ready), Math::min);
                    samples.incrementAndGet();
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "deployment-sampler");
        sampler.start();
        try {
            body.run();
        } finally {
            running.set(false);
            sampler.join();
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    @Order(1)
    void aClusterAtTheFirstReleaseWithATwoReplicaDeploymentUnderABudget() throws Exception {
        long t = System.nanoTime();
        Map<String, Object> values = bed.planValues(inventoryText);
        values.put("corednsImageTag", KubernetesTestBed.UPGRADABLE_COREDNS_TAG);
        try (ClusterRun run = new ClusterRun(KubeadmClusterPlan.of(values), inventory, runners, logs, console, said::add,
                RealClusterIT.STEP_TIMEOUT, Cancellation.none())) {
            run.run(List.of(Phase.PREPARE, Phase.RUNTIME, Phase.CONTROL_PLANE, Phase.CNI, Phase.WORKERS));
        }
        TestNode cp1 = node("cp1");
        String deployment = String.join("\n", "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: web", "  namespace: default",
                "spec:", "  replicas: 2", "  selector:", "    matchLabels:", "      app: web", "  template:", "    metadata:", "      labels:",
                "        app: web", "    spec:", "      containers:", "      - name: web", "        image: " + KubernetesTestBed.WEB_IMAGE,
                "        readinessProbe:", "          httpGet:", "            path: /", "            port: 8080", "          periodSeconds: 2", "");
        cp1.ssh(KUBECTL + "apply -f -", (deployment + "---\n" + budget("web", 1)).getBytes(StandardCharsets.UTF_8));
        cp1.sh(KUBECTL + "rollout status deployment/web --timeout=180s");
        assertEquals("cp1 " + FROM + " True\nworker1 " + FROM + " True\nworker2 " + FROM + " True", nodeStates());
        phase("cluster at " + FROM + " with the Deployment", t);
    }

    @Test
    @Order(2)
    void aBudgetThatBlocksTheDrainsIsRefusedBeforeAnyChangeNamingIt() throws Exception {
        TestNode cp1 = node("cp1");
        String unchanged = "cp1 " + FROM + " True\nworker1 " + FROM + " True\nworker2 " + FROM + " True";
        // The Deployment's own budget raised to both replicas: no disruption allowed.
        cp1.sh(KUBECTL + "patch pdb web --type merge -p '{\"spec\":{\"minAvailable\":2}}'");
        try {
            ClusterStepException refused = assertThrows(ClusterStepException.class, () -> upgrade(toTheSecondRelease()));
            assertTrue(refused.getMessage().contains("would be blocked, so nothing was changed"), refused.getMessage());
            assertTrue(refused.getMessage().contains("PodDisruptionBudget default/web allows 0 disruption(s) now (2 healthy, 2 needed)"),
                    refused.getMessage());
            assertEquals(unchanged, nodeStates());
            assertEquals(KubernetesTestBed.DEB_VERSION, cp1.sh("dpkg-query -W -f='${Version}' kubeadm").trim(), "kubeadm not moved either");
        } finally {
            cp1.sh(KUBECTL + "patch pdb web --type merge -p '{\"spec\":{\"minAvailable\":1}}'");
        }
        // A second budget over the same pods: the API server evicts none of them, and the refusal says why.
        cp1.ssh(KUBECTL + "apply -f -", budget("web-second", 1).getBytes(StandardCharsets.UTF_8));
        try {
            ClusterStepException refused = assertThrows(ClusterStepException.class, () -> upgrade(toTheSecondRelease()));
            assertTrue(refused.getMessage().contains("the API server evicts no pod that more than one budget covers"), refused.getMessage());
            assertEquals(unchanged, nodeStates());
        } finally {
            cp1.sh(KUBECTL + "delete pdb web-second");
        }
    }

    @Test
    @Order(3)
    void theSecondWorkersRepositoryUnreachableStopsTheRollOutThereWithTheFirstWorkerUpgraded() throws Exception {
        TestNode worker2 = node("worker2");
        String repoHost = bed.repo().repoUrl("1.26").replaceFirst("^http://([^:/]+):([0-9]+)/.*", "$1 $2");
        String[] hostPort = repoHost.split(" ");
        String reject = "-d " + hostPort[0] + " -p tcp --dport " + hostPort[1] + " -j REJECT --reject-with tcp-reset";
        worker2.sh("iptables -I OUTPUT " + reject);
        long t = System.nanoTime();
        try {
            sampled(() -> {
                ClusterStepException stopped = assertThrows(ClusterStepException.class, () -> upgrade(toTheSecondRelease()));
                assertTrue(stopped.getMessage().startsWith("upgradeCluster stopped at worker2 (upgrade-node): "), stopped.getMessage());
                assertTrue(stopped.getMessage().contains("at 1.26.2: cp1, worker1; not yet: worker2"), stopped.getMessage());
            });
        } finally {
            worker2.sh("iptables -D OUTPUT " + reject);
        }
        phase("upgradeCluster until worker2's repository failed", t);
        assertEquals("cp1 " + TO + " True\nworker1 " + TO + " True\nworker2 " + FROM + " True", nodeStates());
        assertTrue(node("cp1").sh("cat /etc/kubernetes/manifests/kube-apiserver.yaml").contains("/kube-apiserver:" + TO));
        int cp = said.indexOf("upgradeCluster: cp1 at 1.26.2");
        int w1 = said.indexOf("upgradeCluster: worker1 at 1.26.2");
        assertTrue(cp >= 0 && w1 > cp, "the control plane first, then worker1: " + said);
        for (TestNode n : List.of(node("cp1"), node("worker1"))) {
            assertEquals(KubernetesTestBed.UPGRADE_DEB_VERSION + " " + KubernetesTestBed.UPGRADE_DEB_VERSION + " "
                    + KubernetesTestBed.UPGRADE_DEB_VERSION, n.sh("for p in kubelet kubeadm kubectl; do dpkg-query -W -f='${Version} ' $p; done").trim(),
                    n.name());
            assertEquals("kubeadm\nkubectl\nkubelet", n.sh("apt-mark showhold").trim(), n.name() + " holds its packages again");
        }
    }

    @Test
    @Order(4)
    void aSecondRunFinishesSkippingWhatIsDoneAndTheDeploymentAlwaysHadAReadyReplica() throws Exception {
        long t = System.nanoTime();
        said.clear();
        sampled(() -> upgrade(toTheSecondRelease()));
        phase("upgradeCluster again: worker2", t);
        assertEquals("cp1 " + TO + " True\nworker1 " + TO + " True\nworker2 " + TO + " True", nodeStates());
        assertTrue(said.stream().anyMatch(l -> l.contains("already at 1.26.2: cp1, worker1")), said.toString());
        assertTrue(said.contains("upgradeCluster: every node runs 1.26.2"), said.toString());
        assertTrue(samples.get() > 20, "the Deployment was read " + samples.get() + " times");
        assertTrue(fewestReady.get() >= 1, "the Deployment had " + fewestReady.get() + " ready replicas at one point");
        System.out.printf("[upgrade-cluster] the Deployment's ready replicas, read %d times during the upgrade: never fewer than %d%n",
                samples.get(), fewestReady.get());
        node("cp1").sh(KUBECTL + "rollout status deployment/web --timeout=120s");
    }
}
