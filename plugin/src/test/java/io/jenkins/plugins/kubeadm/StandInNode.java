package io.jenkins.plugins.kubeadm;

import io.jenkins.plugins.kubeadm.agents.ClusterWork;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.CollectedRun;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A node behind a test agent that answers the node scripts' protocol (their result lines and result
 * files) without touching the machine the tests run on: the binding tests check what Jenkins does
 * with it (credentials, logs, console, failures), the end-to-end tests run the real scripts on real
 * nodes. It prints the join token on purpose, as a careless script might, so redaction is proven.
 */
public final class StandInNode implements ScriptRunner {

    public static final String ENDPOINT = "10.0.0.1:6443";
    public static final String CA_HASH = "sha256:" + "ab".repeat(32);

    /** One script run as the node received it. */
    public record Received(String script, Map<String, String> environment, Map<String, String> privateFiles) {
    }

    private final String name;
    private final int index;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<ClusterWork> clusterWork = new CopyOnWriteArrayList<>();
    public volatile String failingScript;
    public volatile String machineId;
    public volatile CountDownLatch entered;
    public volatile CountDownLatch release;

    public StandInNode(String name, int index) {
        this.name = name;
        this.index = index;
        this.machineId = String.format("%032x", index + 1);
    }

    @Override
    public String nodeName() {
        return name;
    }

    public List<Received> received() {
        return received;
    }

    /** The etcd members etcd-members.sh lists on this node, by name (a digit last); all healthy. */
    public final List<String> etcdMembers = new CopyOnWriteArrayList<>();

    /** When renew-certificates.sh says this node's first certificate expires. */
    public volatile String certificatesExpire = "2027-12-05T22:48:00Z";

    /** The release upgrade-node.sh finds this node's kubelet (and a control plane's API server) at. */
    public volatile String kubelet = "v1.26.1";

    /** What this node answers for a cluster step's work; null for a summary naming the work. */
    public volatile java.util.function.Function<ClusterWork, String> clusterWorkReply;

    /** The cluster steps' work this node ran as the control plane. */
    public List<ClusterWork> clusterWork() {
        return clusterWork;
    }

    public List<String> scripts() {
        return received.stream().map(Received::script).toList();
    }

    @Override
    public ExecResult run(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) {
        return runAndCollect(request, sink, timeout, cancellation).result();
    }

    @Override
    public CollectedRun runAndCollect(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) {
        Map<String, String> files = new HashMap<>();
        request.privateFiles().forEach((k, v) -> files.put(k, new String(v, StandardCharsets.UTF_8).trim()));
        String script = request.script().fileName();
        received.add(new Received(script, Map.copyOf(request.environment()), Map.copyOf(files)));
        Map<String, byte[]> results = new HashMap<>();
        if (entered != null) {
            entered.countDown();
            try {
                if (!release.await(120, TimeUnit.SECONDS)) {
                    return new CollectedRun(new ExecResult(-1, ExecResult.Outcome.TIMED_OUT, Duration.ofSeconds(120)), results);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new CollectedRun(new ExecResult(-1, ExecResult.Outcome.CANCELLED, Duration.ZERO), results);
            }
        }
        sink.line(name, LineSink.Stream.STDOUT, "==> " + script + " on " + name);
        if (script.equals(failingScript)) {
            sink.line(name, LineSink.Stream.STDERR, "ERROR: " + name + " stand-in refuses " + script);
            sink.line(name, LineSink.Stream.STDOUT, "==> diagnostics");
            sink.line(name, LineSink.Stream.STDOUT, "diagnostic detail of " + name);
            return new CollectedRun(new ExecResult(1, ExecResult.Outcome.COMPLETED, Duration.ofMillis(5)), results);
        }
        switch (script) {
            case "prepare-node.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_NODE_IDENTITY hostname=" + name
                    + " product_uuid=uuid-" + index + " machine_id=" + machineId + " macs=02:00:00:00:00:0" + index
                    + " primary_ip=10.0.0." + (index + 1));
            case "kubeadm-init.sh" -> {
                String token = files.get("JOIN_TOKEN_FILE");
                // A careless script: the token on both streams. Nothing of it may reach the console or a log.
                sink.line(name, LineSink.Stream.STDOUT, "created bootstrap token " + token);
                sink.line(name, LineSink.Stream.STDERR, "token secret: " + token.substring(7));
                String endpoint = request.environment().getOrDefault("CONTROL_PLANE_ENDPOINT", ENDPOINT);
                results.put("JOIN_COMMAND_FILE", ("kubeadm join " + endpoint + " --token " + token
                        + " --discovery-token-ca-cert-hash " + CA_HASH + "\n").getBytes(StandardCharsets.UTF_8));
                sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_INIT_RESULT state=initialized endpoint=" + endpoint
                        + " ca_cert_hash=" + CA_HASH + " kubernetes_version=v1.35.0 token_id=" + token.substring(0, 6)
                        + " certificates_uploaded=" + files.containsKey("CERTIFICATE_KEY_FILE"));
            }
            case "kubeadm-join.sh" -> {
                String command = files.get("JOIN_COMMAND_FILE");
                sink.line(name, LineSink.Stream.STDOUT, "joining with: " + command);
                String endpoint = command.startsWith("kubeadm join ") ? command.split(" ")[2] : ENDPOINT;
                sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_JOIN_RESULT state=joined endpoint=" + endpoint
                        + " ca_cert_hash=" + CA_HASH + " control_plane=" + command.contains("--control-plane"));
            }
            case "api-load-balancer.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_LOAD_BALANCER_RESULT state=configured"
                    + " endpoint=127.0.0.1:8443 servers=" + request.environment().get("API_SERVERS").split(",").length);
            case "delete-join-token.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_TOKEN_DELETE_RESULT state=deleted token_id="
                    + request.environment().get("JOIN_TOKEN_ID"));
            case "renew-certificates.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_CERTS_RESULT state="
                    + ("true".equals(request.environment().get("RENEW")) ? "renewed" : "checked") + " earliest=" + certificatesExpire
                    + " earliest_certificate=apiserver");
            case "upgrade-node.sh" -> {
                String stage = request.environment().get("UPGRADE_STAGE");
                if (stage.equals("kubelet")) {
                    kubelet = "v" + request.environment().get("KUBERNETES_VERSION");
                }
                sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_UPGRADE_RESULT stage=" + stage + " state=upgraded kubelet=" + kubelet
                        + " control_plane=" + (name.startsWith("cp") ? kubelet : "none"));
            }
            case "node-name.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_NODE_NAME name=" + name + " joined=true control_plane="
                    + name.startsWith("cp") + " address=10.0.0." + (index + 1));
            case "etcd-members.sh" -> {
                String removed = request.environment().get("REMOVE_MEMBER_ID");
                if (removed != null) {
                    etcdMembers.removeIf(member -> Integer.toString(100 + member.charAt(member.length() - 1)).equals(removed));
                }
                StringBuilder json = new StringBuilder("{\"members\":[");
                for (String member : etcdMembers) {
                    String address = "10.0.1." + member.charAt(member.length() - 1);
                    json.append(json.length() > 12 ? "," : "").append("{\"ID\":\"").append(100 + member.charAt(member.length() - 1))
                            .append("\",\"name\":\"").append(member).append("\",\"clientURLs\":[\"https://").append(address).append(":2379\"]}");
                    sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_ETCD_HEALTH url=https://" + address + ":2379 healthy=true");
                }
                results.put("ETCD_MEMBERS_RESULT", json.append("]}").toString().getBytes(StandardCharsets.UTF_8));
            }
            default -> sink.line(name, LineSink.Stream.STDOUT, "done");
        }
        return new CollectedRun(new ExecResult(0, ExecResult.Outcome.COMPLETED, Duration.ofMillis(5)), results);
    }
}
