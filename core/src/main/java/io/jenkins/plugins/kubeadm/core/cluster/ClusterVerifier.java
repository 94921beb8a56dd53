package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * verifyCluster: proves the cluster works, each check a test case. Every node Ready; then, in a
 * namespace of its own (deleted afterwards), one server pod per node (httpd answering with its node's
 * name) behind a ClusterIP Service, and one client pod per node that looks up the API server's name
 * through CoreDNS, fetches every other node's server pod by its IP, and fetches the Service by its
 * ClusterIP. A check that fails names the nodes involved and what was seen. Node names and addresses
 * reach the pods as environment variables; the pods' scripts are constants of this class.
 */
final class ClusterVerifier {

    static final String LABEL = "kubeadm-pipeline/verify";
    static final String MARKER = "VERIFY";
    static final int HTTP_PORT = 8080;

    static final String SERVER_SCRIPT = "mkdir -p /tmp/www && printf '%s' \"$NODE_NAME\" > /tmp/www/index.html"
            + " && exec httpd -f -p " + HTTP_PORT + " -h /tmp/www";
    /**
     * Prints one {@value #MARKER} line per check: {@code VERIFY <check> <node or -> ok|fail <what it saw>}.
     * Only shell builtins, sleep, wget and nslookup: a minimal busybox has no tr or timeout, and its wget
     * no -T, so a fetch is given 5 s by a background kill. What wget and nslookup print on failure is kept
     * (their stderr goes into the answer).
     */
    static final String CLIENT_SCRIPT = String.join("\n",
            // The shell's own notices ("Terminated" of a stopped fetch) must not mix into the result lines.
            "exec 2>/dev/null",
            "oneline() { set -f; echo $*; set +f; }",
            "fetch() {",
            "  wget -q -O - \"$1\" 2>&1 &",
            "  pid=$!",
            "  (sleep 5; kill \"$pid\") >/dev/null 2>&1 &",
            "  killer=$!",
            "  wait \"$pid\"; status=$?",
            "  kill \"$killer\" 2>/dev/null",
            "  if [ \"$status\" -gt 128 ]; then echo 'no answer within 5 s'; fi",
            "  return \"$status\"",
            "}",
            "for target in $TARGETS; do",
            "  node=${target%%=*}; ip=${target#*=}",
            "  if answer=$(fetch \"http://$ip:" + HTTP_PORT + "/\"); then echo \"" + MARKER + " pod $node ok $(oneline \"$answer\")\";",
            "  else echo \"" + MARKER + " pod $node fail $(oneline \"$answer\")\"; fi",
            "done",
            "if answer=$(nslookup kubernetes.default.svc.cluster.local 2>&1); then echo \"" + MARKER + " dns - ok\";",
            "else echo \"" + MARKER + " dns - fail $(oneline \"$answer\")\"; fi",
            "if answer=$(fetch \"http://$SERVICE_IP/\"); then echo \"" + MARKER + " service - ok $(oneline \"$answer\")\";",
            "else echo \"" + MARKER + " service - fail $(oneline \"$answer\")\"; fi",
            "");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KubernetesClient client;
    private final Consumer<String> progress;

    ClusterVerifier(KubernetesClient client, Consumer<String> progress) {
        this.client = Objects.requireNonNull(client, "client");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    private static boolean isGpuNode(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels();
        return labels != null && "true".equals(labels.get(GpuPluginInstaller.GPU_LABEL));
    }

    /** Every node labelled as a GPU node offers allocatable GPUs: the device plugin runs there and found them. */
    static List<VerifyReport.Check> gpuNodeChecks(List<Node> nodes, Instant start) {
        List<VerifyReport.Check> checks = new ArrayList<>();
        for (Node node : nodes) {
            if (!isGpuNode(node)) {
                continue;
            }
            Quantity gpus = node.getStatus() == null || node.getStatus().getAllocatable() == null ? null
                    : node.getStatus().getAllocatable().get(GpuPluginInstaller.GPU_RESOURCE);
            boolean offers = gpus != null && gpus.getNumericalAmount().signum() > 0;
            checks.add(new VerifyReport.Check("gpu", name(node) + " offers allocatable " + GpuPluginInstaller.GPU_RESOURCE, offers ? null
                    : "allocatable " + GpuPluginInstaller.GPU_RESOURCE + " is " + (gpus == null ? "not advertised" : "0")
                    + ": the NVIDIA device plugin does not run there or found no GPU (installGpuPlugin; gpu-node.sh on " + name(node) + ")",
                    since(start)));
        }
        return checks;
    }

    /** nvidia-smi in a pod that requests one GPU, with the nvidia RuntimeClass when installGpuPlugin made one (its runtimeClass mode). */
    VerifyReport.Check gpuSmokeCheck(String namespace, List<Node> nodes, VerifyOptions options, Instant start) {
        String name = "a pod that requests one " + GpuPluginInstaller.GPU_RESOURCE + " runs nvidia-smi";
        if (nodes.stream().noneMatch(ClusterVerifier::isGpuNode)) {
            return new VerifyReport.Check("gpu", name, "no node is labelled " + GpuPluginInstaller.GPU_LABEL
                    + "=true (installGpuPlugin labels the GPU nodes)", since(start));
        }
        try {
            boolean runtimeClass = client.resources(RuntimeClass.class).withName(GpuPluginInstaller.RUNTIME_CLASS).get() != null;
            new GpuSmokePod(client, progress).run(namespace, options.gpuSmokeImage, runtimeClass, options.timeout, options.heartbeat);
            return new VerifyReport.Check("gpu", name, null, since(start));
        } catch (ClusterStepException e) {
            return new VerifyReport.Check("gpu", name, e.getMessage(), since(start));
        }
    }

    /** Each Node's kubelet version and readiness as listed before the probes; one whose kubelet reports no usable version is left out. */
    private static List<VerifyReport.NodeState> states(List<Node> nodes) {
        List<VerifyReport.NodeState> states = new ArrayList<>();
        for (Node node : nodes) {
            String version = node.getStatus() == null || node.getStatus().getNodeInfo() == null ? null
                    : node.getStatus().getNodeInfo().getKubeletVersion();
            try {
                states.add(new VerifyReport.NodeState(name(node), version, Diagnosis.isReady(node)));
            } catch (IllegalArgumentException e) {
                // Shown on the cluster page only; the Ready check above still names the node.
            }
        }
        return states;
    }

    VerifyReport verify(VerifyOptions options) {
        Instant start = Instant.now();
        List<VerifyReport.Check> checks = new ArrayList<>();
        List<Node> nodes = client.nodes().list().getItems();
        for (Node node : nodes) {
            checks.add(new VerifyReport.Check("nodes", name(node) + " is Ready", Diagnosis.isReady(node) ? null : Diagnosis.node(node),
                    since(start)));
        }
        checks.addAll(gpuNodeChecks(nodes, start));
        String namespace = "kubeadm-verify-" + suffix();
        progress.accept("verifyCluster: probe pods on " + nodes.size() + " node(s) in namespace " + namespace);
        try {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).addToLabels(LABEL, "run")
                    .endMetadata().build()).create();
            Map<String, Pod> servers = new LinkedHashMap<>();
            for (Node node : nodes) {
                servers.put(name(node), create(namespace, serverPod(name(node), options.probeImage)));
            }
            Service service = client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata().withName("probe")
                    .endMetadata().withNewSpec().addToSelector(LABEL, "server").addNewPort().withPort(80)
                    .withNewTargetPort(HTTP_PORT).endPort().endSpec().build()).create();
            Deadline deadline = new Deadline(options.timeout, options.heartbeat);
            servers = await(namespace, servers, deadline, "server", pod -> Diagnosis.isReady(pod) && pod.getStatus().getPodIP() != null);
            StringBuilder targets = new StringBuilder();
            servers.forEach((node, pod) -> {
                if (Diagnosis.isReady(pod) && pod.getStatus().getPodIP() != null) {
                    targets.append(node).append('=').append(pod.getStatus().getPodIP()).append(' ');
                }
            });
            Map<String, Pod> clients = new LinkedHashMap<>();
            for (Node node : nodes) {
                String targetsOfNode = targets.toString().replaceAll("(^| )" + Pattern.quote(name(node)) + "=\\S+", "").trim();
                clients.put(name(node), create(namespace, clientPod(name(node), options.probeImage, targetsOfNode,
                        service.getSpec().getClusterIP())));
            }
            clients = await(namespace, clients, deadline, "client", ClusterVerifier::finished);
            Instant probed = Instant.now();
            for (Node node : nodes) {
                checks.addAll(probeChecks(namespace, name(node), clients.get(name(node)), servers, nodes, Duration.between(start, probed)));
            }
            if (options.gpuSmokeImage != null) {
                checks.add(gpuSmokeCheck(namespace, nodes, options, start));
            }
        } catch (KubernetesClientException e) {
            checks.add(new VerifyReport.Check("probes", "the probe pods could be made", "the API server refused: " + e.getMessage(), since(start)));
        } finally {
            try {
                client.namespaces().withName(namespace).delete();
            } catch (KubernetesClientException e) {
                progress.accept("verifyCluster: could not delete namespace " + namespace + ": " + e.getMessage());
            }
        }
        return new VerifyReport(checks, states(nodes));
    }

    /** A client pod's checks: DNS, every other node's server pod, the Service; each fails with the evidence when the pod could not run. */
    private List<VerifyReport.Check> probeChecks(String namespace, String node, Pod clientPod, Map<String, Pod> servers, List<Node> nodes,
                                                 Duration time) {
        Map<String, String> lines = new LinkedHashMap<>();
        String clientProblem = null;
        if (clientPod == null || !"Succeeded".equals(clientPod.getStatus() == null ? null : clientPod.getStatus().getPhase())) {
            clientProblem = clientPod == null ? "no probe pod was made on " + node : "the probe pod on " + node + " did not finish: "
                    + Diagnosis.pod(clientPod);
        } else {
            String log = client.pods().inNamespace(namespace).withName(clientPod.getMetadata().getName()).limitBytes(64 * 1024).getLog();
            for (String line : log.split("\n")) {
                String[] f = line.split(" ", 4);
                if (f.length >= 3 && f[0].equals(MARKER)) {
                    lines.put(f[1] + " " + f[2], f.length == 4 ? f[3] : "");
                }
            }
        }
        List<VerifyReport.Check> checks = new ArrayList<>();
        checks.add(check("dns", node + ": CoreDNS answers a lookup from a pod", clientProblem, lines, "dns -", null, time));
        for (Node other : nodes) {
            String target = name(other);
            if (target.equals(node)) {
                continue;
            }
            Pod server = servers.get(target);
            String serverProblem = server != null && Diagnosis.isReady(server) ? null
                    : "the probe pod on " + target + " never answered: " + (server == null ? "it was not made" : Diagnosis.pod(server));
            checks.add(check("pod-network", node + " reaches a pod on " + target, clientProblem != null ? clientProblem : serverProblem,
                    lines, "pod " + target, target, time));
        }
        checks.add(check("service", node + ": a ClusterIP Service reaches its pods", clientProblem, lines, "service -", null, time));
        return checks;
    }

    private static VerifyReport.Check check(String group, String name, String problem, Map<String, String> lines, String key,
                                            String expectedAnswer, Duration time) {
        if (problem != null) {
            return new VerifyReport.Check(group, name, problem, time);
        }
        String seen = lines.get(key);
        if (seen == null) {
            return new VerifyReport.Check(group, name, "the probe pod printed no result for this check", time);
        }
        if (seen.startsWith("fail")) {
            return new VerifyReport.Check(group, name, seen.substring(4).trim().isEmpty() ? "failed" : seen.substring(4).trim(), time);
        }
        String answer = seen.substring(2).trim();
        if (expectedAnswer != null && !answer.equals(expectedAnswer)) {
            return new VerifyReport.Check(group, name, "answered '" + answer + "', not '" + expectedAnswer + "'", time);
        }
        return new VerifyReport.Check(group, name, null, time);
    }

    /** Waits until every pod passes {@code done} or the deadline, saying every heartbeat which are still waiting; returns the last seen pods. */
    private Map<String, Pod> await(String namespace, Map<String, Pod> pods, Deadline deadline, String role, Predicate<Pod> done) {
        Map<String, Pod> latest = new LinkedHashMap<>(pods);
        while (true) {
            List<String> waiting = new ArrayList<>();
            for (Map.Entry<String, Pod> e : latest.entrySet()) {
                Pod now = client.pods().inNamespace(namespace).withName(e.getValue().getMetadata().getName()).get();
                if (now != null) {
                    e.setValue(now);
                }
                if (now == null || !done.test(now)) {
                    waiting.add(e.getKey());
                }
            }
            if (waiting.isEmpty() || deadline.passed()) {
                if (!waiting.isEmpty()) {
                    progress.accept("verifyCluster: gave up waiting for the " + role + " pods on " + String.join(", ", waiting));
                }
                return latest;
            }
            if (deadline.heartbeat()) {
                progress.accept("verifyCluster: waiting for the " + role + " pods on " + String.join(", ", waiting));
            }
            deadline.sleep(Duration.ofSeconds(1));
        }
    }

    private Pod create(String namespace, Pod pod) {
        return client.pods().inNamespace(namespace).resource(pod).create();
    }

    static Pod serverPod(String node, String image) {
        return probePod("server", node, image, SERVER_SCRIPT, Map.of("NODE_NAME", node), "Always");
    }

    static Pod clientPod(String node, String image, String targets, String serviceIp) {
        return probePod("client", node, image, CLIENT_SCRIPT, Map.of("TARGETS", targets, "SERVICE_IP", serviceIp), "Never");
    }

    private static Pod probePod(String role, String node, String image, String script, Map<String, String> env, String restart) {
        List<EnvVar> variables = new ArrayList<>();
        env.forEach((name, value) -> variables.add(new EnvVar(name, value, null)));
        return new PodBuilder().withNewMetadata().withName(role + "-" + podSuffix(node)).addToLabels(LABEL, role).endMetadata()
                .withNewSpec().withNodeName(node).withRestartPolicy(restart).withAutomountServiceAccountToken(false)
                .withTerminationGracePeriodSeconds(0L)
                // On control planes too: the check is about every node, whatever its taints.
                .addNewToleration().withOperator("Exists").endToleration()
                .addNewContainer().withName("probe").withImage(image).withCommand("sh", "-c", script).withEnv(variables).endContainer()
                .endSpec().build();
    }

    /** A pod name part from a node name: node names are DNS subdomains, pod names too, but shorter is safer. */
    static String podSuffix(String node) {
        String s = node.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        return s.length() > 50 ? s.substring(0, 50) : s;
    }

    private static boolean finished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static String name(Node node) {
        return node.getMetadata().getName();
    }

    private static Duration since(Instant start) {
        return Duration.between(start, Instant.now());
    }

    private static String suffix() {
        String letters = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            s.append(letters.charAt(RANDOM.nextInt(letters.length())));
        }
        return s.toString();
    }

    /** The run's time limit and its progress beat. */
    private static final class Deadline {
        private final Instant end;
        private final Duration beat;
        private Instant nextBeat;

        Deadline(Duration timeout, Duration beat) {
            this.end = Instant.now().plus(timeout);
            this.beat = beat;
            this.nextBeat = Instant.now().plus(beat);
        }

        boolean passed() {
            return Instant.now().isAfter(end);
        }

        boolean heartbeat() {
            if (Instant.now().isAfter(nextBeat)) {
                nextBeat = Instant.now().plus(beat);
                return true;
            }
            return false;
        }

        void sleep(Duration d) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterStepException("verifyCluster was interrupted");
            }
        }
    }
}
