package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.CniOptions;
import io.jenkins.plugins.kubeadm.core.cluster.Kubeconfig;
import io.jenkins.plugins.kubeadm.core.cluster.ManifestServer;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.StepLogSink;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import io.jenkins.plugins.kubeadm.core.testnodes.Host;
import io.jenkins.plugins.kubeadm.core.testnodes.KubernetesTestBed;
import io.jenkins.plugins.kubeadm.core.testnodes.StandInAptRepository;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import io.jenkins.plugins.kubeadm.core.testnodes.TestRegistry;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Benchmark, not a test: the same real v1.26.1 cluster (one control plane, two workers, Flannel,
 * every node Ready and CoreDNS available) formed twice on fresh nodes, once by the commands a person
 * types over SSH (the runbooks' commands, workers joining in parallel) and once by our steps through
 * core. Prints both times and the ratio (goal: at most 1.2), then runs every step again on the
 * cluster our steps formed and prints how long that no-op re-run took (goal: a few seconds; it is not
 * part of the formation time). Each phase's time is printed as it ends; with
 * {@code -Dbenchmark.keepWorkspace=true} the step logs (kubeadm-logs/NODE/NN-STEP.log) and a trace of
 * every script line with the second it arrived (trace.log) stay in the printed workspace. As root:
 * {@code mvn -B -pl core test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.jenkins.plugins.kubeadm.core.nodes.RealClusterBenchmark}
 */
public final class RealClusterBenchmark {

    static final String POD_CIDR = RealClusterIT.POD_CIDR;

    public static void main(String[] args) throws Exception {
        KubernetesTestBed bed = KubernetesTestBed.ensure();
        double raw = timed("raw commands over SSH", bed, RealClusterBenchmark::byHand)[0];
        double[] ours = timed("kubeadm-pipeline steps", bed, RealClusterBenchmark::bySteps);
        System.out.printf("%nRESULT raw commands: %.1f s, our steps: %.1f s, ratio %.2f (goal <= 1.2); a no-op re-run in %.1f s%n",
                raw, ours[0], ours[0] / raw, ours[1]);
        System.exit(0);
    }

    interface Formation {
        /** Forms the cluster; returns what runs on it once the formation time is taken. */
        AfterFormed form(Bed bed) throws Exception;
    }

    interface AfterFormed {
        /** @return its seconds */
        double run() throws Exception;
    }

    record Bed(TestNodes nodes, StandInAptRepository repo, TestRegistry registry, ManifestServer manifests) {
        TestNode cp() {
            return nodes.node("cp1");
        }

        List<TestNode> workers() {
            return List.of(nodes.node("worker1"), nodes.node("worker2"));
        }
    }

    /** @return the seconds to a Ready cluster, and those of what ran on it afterwards (0 for nothing) */
    static double[] timed(String name, KubernetesTestBed testBed, Formation formation) throws Exception {
        try (TestNodes nodes = TestNodes.start("cp1", "worker1", "worker2");
             StandInAptRepository repo = StandInAptRepository.serve(nodes.hostAddress(), List.of(), Map.of("1.26", testBed.debs()));
             TestRegistry registry = TestRegistry.serve(nodes.hostAddress(), testBed.registryStorage());
             ManifestServer manifests = new ManifestServer(nodes.hostAddress(), "/realcluster")) {
            System.out.println("==> " + name);
            long start = System.nanoTime();
            AfterFormed afterwards = formation.form(new Bed(nodes, repo, registry, manifests));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("==> %s: a Ready cluster in %.1f s%n", name, seconds);
            return new double[] {seconds, afterwards.run()};
        }
    }

    /** What the runbooks have people type, with the same settings as our steps use. */
    static AfterFormed byHand(Bed bed) throws Exception {
        String registry = bed.registry().hostPort();
        String node = String.join("\n",
                "set -e",
                "printf 'overlay\\nbr_netfilter\\n' > /etc/modules-load.d/k8s.conf",
                "printf 'net.bridge.bridge-nf-call-iptables = 1\\nnet.bridge.bridge-nf-call-ip6tables = 1\\nnet.ipv4.ip_forward = 1\\n' > /etc/sysctl.d/k8s.conf",
                // sysctl --system would stop at the host-wide keys a container cannot write
                "sysctl -q -p /etc/sysctl.d/k8s.conf; swapoff -a",
                "export DEBIAN_FRONTEND=noninteractive",
                "apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends containerd curl gpg ca-certificates >/dev/null",
                "mkdir -p /etc/containerd && containerd config default > /etc/containerd/config.toml",
                "sed -i -e 's/SystemdCgroup = false/SystemdCgroup = true/' -e 's#sandbox_image = .*#sandbox_image = \"" + registry + "/pause:3.9\"#'"
                        + " -e 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/'"
                        + " -e 's#config_path = \"\"#config_path = \"/etc/containerd/certs.d\"#' /etc/containerd/config.toml",
                "for r in docker.io " + registry + "; do mkdir -p /etc/containerd/certs.d/$r; printf 'server = \"http://" + registry
                        + "\"\\n[host.\"http://" + registry + "\"]\\n  capabilities = [\"pull\", \"resolve\"]\\n' > /etc/containerd/certs.d/$r/hosts.toml; done",
                "systemctl restart containerd",
                "mkdir -p /etc/apt/keyrings && curl -fsSL " + bed.repo().repoUrl("1.26") + "Release.key | gpg --dearmor --yes -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg",
                "echo 'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] " + bed.repo().repoUrl("1.26") + " /' > /etc/apt/sources.list.d/kubernetes.list",
                "apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends kubelet=1.26.1-1.1 kubeadm=1.26.1-1.1 kubectl=1.26.1-1.1 >/dev/null",
                "apt-mark hold kubelet kubeadm kubectl >/dev/null && systemctl enable --now kubelet");
        parallel(bed.nodes().nodes(), n -> n.sh(node));
        String config = String.join("\n",
                "apiVersion: kubeadm.k8s.io/v1beta3", "kind: InitConfiguration",
                "nodeRegistration:", "  criSocket: unix:///var/run/containerd/containerd.sock", "  ignorePreflightErrors: [HTTPProxyCIDR]",
                "---", "apiVersion: kubeadm.k8s.io/v1beta3", "kind: ClusterConfiguration", "kubernetesVersion: v1.26.1",
                "imageRepository: " + registry, "etcd: {local: {imageTag: " + KubernetesTestBed.ETCD_TAG + "}}",
                "dns: {imageTag: " + KubernetesTestBed.COREDNS_TAG + "}", "networking: {podSubnet: " + POD_CIDR + "}",
                "---", "apiVersion: kubelet.config.k8s.io/v1beta1", "kind: KubeletConfiguration", "cgroupDriver: systemd",
                "---", "apiVersion: kubeproxy.config.k8s.io/v1alpha1", "kind: KubeProxyConfiguration", "conntrack: {maxPerCore: 0}", "");
        TestNode cp = bed.cp();
        cp.ssh("cat > /root/kubeadm.yaml", config.getBytes(StandardCharsets.UTF_8));
        cp.sh("kubeadm init --config /root/kubeadm.yaml >/root/init.log 2>&1");
        String join = cp.sh("kubeadm token create --print-join-command").trim();
        parallel(bed.workers(), w -> w.sh(join + " --ignore-preflight-errors=HTTPProxyCIDR >/root/join.log 2>&1"));
        String manifest;
        try (InputStream in = RealClusterBenchmark.class.getResourceAsStream("/realcluster/kube-flannel-v0.20.2.yml")) {
            manifest = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("10.244.0.0/16", POD_CIDR);
        }
        String kubectl = "kubectl --kubeconfig /etc/kubernetes/admin.conf ";
        if (!cp.ssh(kubectl + "apply -f - >/dev/null", manifest.getBytes(StandardCharsets.UTF_8)).ok()) {
            throw new IllegalStateException("kubectl apply of Flannel failed");
        }
        cp.sh("until " + kubectl + "wait --for=condition=Ready nodes --all --timeout=300s >/dev/null 2>&1; do sleep 1; done; "
                + kubectl + "-n kube-system rollout status deployment/coredns --timeout=300s >/dev/null");
        return () -> 0;
    }

    /**
     * The same cluster through core, as a pipeline runs the steps; afterwards every step once more on
     * the formed cluster (the no-op re-run).
     */
    static AfterFormed bySteps(Bed bed) throws Exception {
        Path workspace = Files.createTempDirectory("real-cluster-benchmark");
        long start = System.nanoTime();
        PrintStream trace = new PrintStream(Files.newOutputStream(workspace.resolve("trace.log")), true, StandardCharsets.UTF_8);
        // Every line a script prints, with the seconds since the formation started: where the time goes.
        LineSink console = (node, stream, text) -> trace.printf("%7.1f %s %s%n", (System.nanoTime() - start) / 1e9, node, text);
        StepLogs logs = new StepLogs(workspace, new SecretRedactor());
        List<SshScriptRunner> runners = bed.nodes().nodes().stream().map(TestNode::runner).toList();
        try {
            allSteps(bed, logs, console, runners);
        } catch (Exception | Error e) {
            finish(workspace, trace, runners);
            throw e;
        }
        return () -> {
            try {
                System.out.println("==> every step again on the formed cluster (a no-op re-run)");
                trace.println("==> no-op re-run");
                double rerun = phase("no-op re-run", () -> allSteps(bed, logs, console, runners));
                System.out.printf("==> kubeadm-pipeline steps: a no-op re-run in %.1f s%n", rerun);
                return rerun;
            } finally {
                finish(workspace, trace, runners);
            }
        };
    }

    static void finish(Path workspace, PrintStream trace, List<SshScriptRunner> runners) throws Exception {
        trace.close();
        for (SshScriptRunner r : runners) {
            r.close();
        }
        if (Boolean.getBoolean("benchmark.keepWorkspace")) {
            System.out.println("==> step logs and trace.log kept in " + workspace);
        } else {
            Host.attempt("rm", "-rf", workspace.toString());
        }
    }

    /** prepareNodes, installRuntime, buildCluster (kubeadmInit, the joins, the token deleted), applyCni. */
    static void allSteps(Bed bed, StepLogs logs, LineSink console, List<SshScriptRunner> runners) throws Exception {
        StepLogSink sink = new StepLogSink(logs, console);
        Duration timeout = Duration.ofMinutes(10);
        String hosts = bed.nodes().nodes().stream().map(n -> n.address() + " " + n.name()).reduce((a, b) -> a + "\n" + b).orElseThrow();
        phase("prepareNodes", () -> NodeSteps.prepareNodes(runners,
                name -> PrepareNodeParams.of(name.equals("cp1") ? "control-plane" : "worker", name, hosts, ""),
                sink, timeout, Cancellation.none()));
        phase("installRuntime", () -> NodeSteps.installRuntime(runners, InstallRuntimeParams.of(KubernetesTestBed.KUBERNETES_VERSION,
                bed.registry().hostPort() + "/pause:" + KubernetesTestBed.PAUSE_TAG, bed.repo().repoUrl("1.26"), null)
                .withRegistryMirror(bed.registry().url()), sink, timeout, Cancellation.none()));
        KubeadmSteps steps = new KubeadmSteps(logs, console, timeout, Cancellation.none());
        phase("buildCluster", () -> ClusterFixture.buildCluster(steps, runners.get(0), runners.subList(1, 3),
                KubeadmInitParams.of(POD_CIDR, null, null, null, KubernetesTestBed.KUBERNETES_VERSION, null, false)
                        .withImageRepository(bed.registry().hostPort())
                        .withImageTags(KubernetesTestBed.ETCD_TAG, KubernetesTestBed.COREDNS_TAG)
                        .withIgnorePreflightErrors(RealClusterIT.IGNORED_PREFLIGHT)));
        phase("applyCni", () -> {
            try (ClusterSteps cluster = ClusterSteps.using(Kubeconfig.fromContent(bed.cp().sh("cat /etc/kubernetes/admin.conf")).connect(),
                    AddonCatalog.load(), line -> { })) {
                cluster.applyCni(new CniOptions().cni("flannel").version(KubernetesTestBed.FLANNEL_VERSION)
                        .manifestUrl(bed.manifests().url("kube-flannel-v0.20.2.yml"))
                        .timeout(Duration.ofMinutes(5)));
            }
        });
    }

    interface Phase {
        void run() throws Exception;
    }

    /** Runs a phase and prints its time; returns the seconds it took. */
    static double phase(String name, Phase phase) throws Exception {
        long start = System.nanoTime();
        phase.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("    %s: %.1f s%n", name, seconds);
        return seconds;
    }

    interface NodeAction {
        void run(TestNode node) throws Exception;
    }

    static void parallel(List<TestNode> nodes, NodeAction action) {
        CompletableFuture.allOf(nodes.stream().map(n -> CompletableFuture.runAsync(() -> {
            try {
                action.run(n);
            } catch (Exception e) {
                throw new IllegalStateException(n + ": " + e.getMessage(), e);
            }
        })).toArray(CompletableFuture[]::new)).join();
    }
}
