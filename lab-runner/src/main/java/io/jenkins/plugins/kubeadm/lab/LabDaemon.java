package io.jenkins.plugins.kubeadm.lab;

import io.jenkins.plugins.kubeadm.core.cluster.ManifestServer;
import io.jenkins.plugins.kubeadm.core.testnodes.KubernetesTestBed;
import io.jenkins.plugins.kubeadm.core.testnodes.StandInAptRepository;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import io.jenkins.plugins.kubeadm.core.testnodes.TestRegistry;
import io.jenkins.plugins.kubeadm.kit.KitJenkins;
import io.jenkins.plugins.kubeadm.kit.KitLab;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The lab's own process ({@code Lab serve}, started by {@code ./lab up} in a session of its own): it
 * owns the nodes, the servers and Jenkins, so they live exactly as long as it does. It brings them
 * up, runs the build, tells the foreground the outcome, then waits for {@code ./lab down} (SIGTERM),
 * when its shutdown hook takes everything down.
 */
final class LabDaemon {

    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(40);
    static final Duration NODES_READY_TIMEOUT = Duration.ofMinutes(3);
    static final String NODES_NOT_READY = "NODES NOT READY";
    /** kubeadm 1.26 built with Go 1.26 (the test bed's) fails this check on a URL parser change. */
    static final String TEST_BED_PREFLIGHT_IGNORE = "HTTPProxyCIDR";
    static final String FLANNEL_MANIFEST = "kube-flannel-v0.20.2.yml";

    private final LabOptions options;
    private final Path repository;
    private final LabState state;
    private LabConsole console;
    private TestNodes nodes;
    private StandInAptRepository apt;
    private TestRegistry registry;
    private ManifestServer manifests;
    private KitJenkins jenkins;

    LabDaemon(LabOptions options, Path repository, LabState state) {
        this.options = options;
        this.repository = repository;
        this.state = state;
    }

    int serve() throws Exception {
        state.recordPid("lab.pid", ProcessHandle.current().pid());
        console = new LabConsole(state.log());
        Runtime.getRuntime().addShutdownHook(new Thread(this::takeDown, "lab-down"));
        String result;
        try {
            result = bringUpAndBuild();
        } catch (Exception e) {
            console.say("ERROR: the lab did not come up: " + e.getMessage());
            if (jenkins != null) {
                console.say("Jenkins' log ends with:\n" + KitJenkins.tail(jenkins.log(), 3000));
            }
            console.say("Taking down what was started...");
            return 1; // the shutdown hook takes it down as this process exits
        }
        boolean success = result.equals("SUCCESS");
        console.say(success ? "The lab is up. ./lab status shows it; ./lab down removes it."
                : result.equals(NODES_NOT_READY) ? "Not every node turned Ready; the lab stays up for a look. ./lab down removes it."
                : "The build failed; the lab stays up for a look (the step logs above). ./lab down removes it.");
        console.detach(success ? 0 : 1);
        new CountDownLatch(1).await(); // until SIGTERM: the shutdown hook does the rest
        return 0;
    }

    private String bringUpAndBuild() throws Exception {
        long started = System.nanoTime();
        console.say("==> The Kubernetes " + KubernetesTestBed.KUBERNETES_VERSION + " test bed (real packages and images, built once"
                + " from KUBERNETES_KIT)");
        KubernetesTestBed testBed = KubernetesTestBed.ensure();
        List<String> names = new ArrayList<>(List.of("cp1"));
        for (int i = 1; i < options.nodes(); i++) {
            names.add("worker" + i);
        }
        console.say("==> Booting " + names.size() + " Debian nodes: " + String.join(", ", names));
        nodes = TestNodes.start(names.toArray(String[]::new));
        state.record("bridge", nodes.bridge(), "nodes", nodes.nodes().stream().map(n -> n.name() + "=" + n.address())
                        .collect(Collectors.joining(",")), "ssh.key", nodes.nodes().get(0).clientKey().toString(),
                "ssh.knownHosts", nodes.nodes().get(0).knownHosts().toString());
        apt = StandInAptRepository.serve(nodes.hostAddress(), List.of(), Map.of("1.26", testBed.debs()));
        registry = TestRegistry.serve(nodes.hostAddress(), testBed.registryStorage());
        manifests = new ManifestServer(nodes.hostAddress(), "/realcluster");
        console.say("    apt repository " + apt.repoUrl("1.26") + ", image registry " + registry.url() + ", manifests "
                + manifests.url(""));

        Path hpi = repository.resolve("plugin-kit/target/kubeadm-pipeline.hpi");
        console.say("==> Jenkins (" + KitJenkins.kit() + ") with " + repository.relativize(hpi) + " on http://127.0.0.1:"
                + options.port() + "/, security on");
        String password = generatePassword();
        jenkins = KitJenkins.start(hpi, new KitJenkins.Settings(state.jenkinsHome(), options.port(), password));
        state.recordPid("jenkins.pid", jenkins.pid());
        state.record("jenkins.url", jenkins.url(), "jenkins.home", state.jenkinsHome().toString());
        jenkins.awaitUp(Duration.ofMinutes(5));
        console.sayOnlyToThePerson("    user " + KitJenkins.ADMIN_USER + ", password " + password
                + "   (shown only now; Jenkins keeps only its hash)");
        console.say("==> The nodes as SSH build agents (cp1: k8s-control-plane, the others: k8s-worker)");
        KitLab.connectAgents(jenkins, nodes, Map.of());
        // Every administrator setting of the plugin stays off, as on a new instance: the job runs on the agents, and
        // keeps the join command inside its build (it is in no folder).

        LabJob.create(jenkins, repository);
        Map<String, Object> parameters = parameters();
        int number = LabJob.start(jenkins, parameters);
        String buildUrl = jenkins.url() + "job/" + LabJob.NAME + "/" + number + "/";
        state.record("job", LabJob.NAME, "build", Integer.toString(number), "build.result", "RUNNING");
        console.say("==> Jenkinsfile.example as job " + LabJob.NAME + ", build #" + number + " (CNI " + options.cni()
                + ", Kubernetes " + options.kubernetesVersion() + "): " + buildUrl + "console");
        long buildStarted = System.nanoTime();
        BuildFollower.Outcome outcome = BuildFollower.follow(jenkins, LabJob.NAME, number, BUILD_TIMEOUT, console::say);
        String result = outcome.result();
        state.record("build.result", result);

        console.say("");
        console.say("Build #" + number + ": " + result + " in " + seconds(buildStarted) + " s (the lab took " + seconds(started) + " s)");
        if (!result.equals("SUCCESS")) {
            console.say("Why, as the console says:");
            outcome.reasons().forEach(reason -> console.say("  " + reason));
            console.say("The whole console: " + buildUrl + "console");
        }
        console.say("Jenkins:   " + jenkins.url() + " (user " + KitJenkins.ADMIN_USER + ")");
        console.say("Cluster:   " + buildUrl + "kubeadm-cluster/  (nodes by steps, with times and logs)");
        console.say("Checks:    " + checks(number) + "  " + buildUrl + "testReport/");
        console.say("Step logs: " + buildUrl + "artifact/kubeadm-logs/  (on disk: " + state.jenkinsHome()
                .resolve("jobs/" + LabJob.NAME + "/builds/" + number + "/archive/kubeadm-logs") + ")");
        TestNode cp = nodes.node("cp1");
        List<String> notReady = result.equals("SUCCESS") ? awaitNodesReady(cp) : List.of();
        console.say("kubectl get nodes (on cp1):");
        var kubectl = cp.ssh("kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o wide");
        console.say(kubectl.ok() ? kubectl.stdout().stripTrailing() : "  (no cluster answers: " + kubectl.stderr().strip() + ")");
        if (!notReady.isEmpty()) {
            console.say("ERROR: not Ready " + NODES_READY_TIMEOUT.toMinutes() + " minutes after the build: " + String.join(", ", notReady));
            return NODES_NOT_READY;
        }
        return result;
    }

    /**
     * joinWorkers returns once a worker has joined; it turns Ready a little later, when the pod network
     * runs on it. The lab promises a Ready cluster, so it waits for that (saying so) and returns the
     * nodes that are still not Ready when the time is up.
     */
    private List<String> awaitNodesReady(TestNode cp) throws InterruptedException {
        String query = "kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o jsonpath="
                + "'{range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}'";
        long started = System.nanoTime();
        long deadline = started + NODES_READY_TIMEOUT.toNanos();
        long lastSaid = 0;
        List<String> notReady = List.of("(no answer from the API server)");
        while (System.nanoTime() < deadline) {
            var answer = cp.ssh(query);
            if (answer.ok()) {
                notReady = answer.stdout().lines().filter(l -> !l.endsWith("=True")).map(l -> l.split("=")[0]).toList();
                if (notReady.isEmpty() && answer.stdout().lines().count() == options.nodes()) {
                    return List.of();
                }
            }
            if (System.nanoTime() - lastSaid > java.util.concurrent.TimeUnit.SECONDS.toNanos(10)) {
                console.say("  ... waiting until every node is Ready (" + seconds(started) + " s): " + String.join(", ", notReady));
                lastSaid = System.nanoTime();
            }
            Thread.sleep(2000);
        }
        return notReady;
    }

    /** verifyCluster's test results in the build, as Jenkins counts them: "15 passed, 0 failed". */
    private String checks(int number) {
        try {
            var answer = jenkins.get("job/" + LabJob.NAME + "/" + number + "/testReport/api/json?tree=passCount,failCount");
            if (answer.statusCode() != 200) {
                return "no test results (HTTP " + answer.statusCode() + ")";
            }
            var counts = java.util.regex.Pattern.compile("\"(passCount|failCount)\":(\\d+)").matcher(answer.body());
            Map<String, String> found = new LinkedHashMap<>();
            while (counts.find()) {
                found.put(counts.group(1), counts.group(2));
            }
            return found.getOrDefault("passCount", "?") + " passed, " + found.getOrDefault("failCount", "?") + " failed";
        } catch (IOException e) {
            return "no test results (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no test results (interrupted)";
        }
    }

    /** Jenkinsfile.example's parameters for this machine's offline test bed (its mirrors). */
    private Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("NODES", "agents");
        p.put("CNI", options.cni());
        p.put("KUBERNETES_VERSION", options.kubernetesVersion());
        p.put("GPU", false);
        p.put("WORKLOAD_IMAGE", KubernetesTestBed.WEB_IMAGE);
        p.put("WORKLOAD_PORT", "8080");
        p.put("APT_REPOSITORY", apt.repoUrl("1.26"));
        p.put("REGISTRY_MIRROR", registry.url());
        p.put("IMAGE_REPOSITORY", registry.hostPort());
        p.put("ETCD_IMAGE_TAG", KubernetesTestBed.ETCD_TAG);
        p.put("COREDNS_IMAGE_TAG", KubernetesTestBed.COREDNS_TAG);
        p.put("IGNORE_PREFLIGHT_ERRORS", TEST_BED_PREFLIGHT_IGNORE);
        p.put("CNI_VERSION", "v0.20.2");
        p.put("CNI_MANIFEST_URL", manifests.url(FLANNEL_MANIFEST));
        // The test bed's web image is a busybox with sh, wget, nslookup and httpd, as the checks' pods need.
        p.put("PROBE_IMAGE", KubernetesTestBed.WEB_IMAGE);
        return p;
    }

    /** Everything this process started, last first; then the Jenkins home. Runs as the process exits. */
    private void takeDown() {
        for (AutoCloseable part : new AutoCloseable[] {jenkins, manifests, registry, apt, nodes}) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception e) {
                    System.err.println("[lab] while taking down " + part.getClass().getSimpleName() + ": " + e);
                }
            }
        }
        LabDown.removeFolder(state.dir());
    }

    static String generatePassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }

    private static long seconds(long sinceNanos) {
        return Math.round((System.nanoTime() - sinceNanos) / 1e9);
    }
}
