package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node that answers each step script the way the real script reports success, and remembers what
 * it was asked: the script's name, its environment and the private files it was handed.
 */
final class StandInNode implements ScriptRunner {

    static final String ENDPOINT = "10.0.0.11:6443";
    static final String CA_HASH = "sha256:" + "ab".repeat(32);

    /** @param sequence when it was asked, counted across every stand-in node */
    record Call(String script, Map<String, String> environment, Map<String, String> privateFiles, int sequence) {
    }

    private static final java.util.concurrent.atomic.AtomicInteger SEQUENCE = new java.util.concurrent.atomic.AtomicInteger();

    private final String name;
    private final String primaryIp;
    final List<Call> calls = new CopyOnWriteArrayList<>();
    /** What node-name.sh reports: this node runs a control plane already. */
    boolean runsControlPlane;
    /** What etcd-members.sh reports on this node: etcd's members as NAME=ADDRESS, and the addresses that answer healthy. */
    final Map<String, String> etcdMembers = new java.util.LinkedHashMap<>();
    final java.util.Set<String> healthyEtcdAddresses = new java.util.HashSet<>();
    /** What upgrade-node.sh finds: the kubelet's release, and the API server's on a control plane (null on a worker). */
    String kubelet = "v1.26.1";
    String apiServer;
    /** The upgrade-node.sh stage that fails on this node (its package repository unreachable); null for none. */
    String upgradeFailsAt;

    StandInNode(String name, String primaryIp) {
        this.name = name;
        this.primaryIp = primaryIp;
    }

    @Override
    public String nodeName() {
        return name;
    }

    List<String> scripts() {
        return calls.stream().map(Call::script).toList();
    }

    @Override
    public ExecResult run(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) {
        Map<String, String> files = new java.util.LinkedHashMap<>();
        request.privateFiles().forEach((file, content) -> files.put(file, new String(content, StandardCharsets.UTF_8)));
        calls.add(new Call(request.script().fileName(), request.environment(), files, SEQUENCE.incrementAndGet()));
        String joinFile = files.getOrDefault("JOIN_COMMAND_FILE", "");
        String joinEndpoint = joinFile.startsWith("kubeadm join ") ? joinFile.split(" ")[2] : ENDPOINT;
        switch (request.script().fileName()) {
            case "prepare-node.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_NODE_IDENTITY hostname="
                    + request.environment().getOrDefault("NODE_HOSTNAME", name) + " product_uuid=uuid-" + name + " machine_id=id-" + name
                    + " macs=- primary_ip=" + primaryIp);
            case "kubeadm-join.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_JOIN_RESULT state=joined endpoint=" + joinEndpoint
                    + " ca_cert_hash=" + CA_HASH + " control_plane=" + joinFile.contains("--control-plane"));
            case "api-load-balancer.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_LOAD_BALANCER_RESULT state=configured"
                    + " endpoint=127.0.0.1:8443 servers=" + request.environment().get("API_SERVERS").split(",").length);
            case "delete-join-token.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_TOKEN_DELETE_RESULT state=deleted");
            case "node-name.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_NODE_NAME name=" + name.toLowerCase() + " joined=true"
                    + " control_plane=" + runsControlPlane + " address=" + primaryIp);
            case "renew-certificates.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_CERTS_RESULT state="
                    + ("true".equals(request.environment().get("RENEW")) ? "renewed" : "checked") + " earliest=2027-12-05T22:48:00Z"
                    + " earliest_certificate=apiserver");
            case "upgrade-node.sh" -> {
                String stage = request.environment().get("UPGRADE_STAGE");
                String release = "v" + request.environment().get("KUBERNETES_VERSION");
                if (stage.equals(upgradeFailsAt)) {
                    sink.line(name, LineSink.Stream.STDERR, "ERROR: apt-get update failed for http://repo.invalid/");
                    return new ExecResult(1, ExecResult.Outcome.COMPLETED, Duration.ofMillis(1));
                }
                if ((stage.equals("apply") || stage.equals("node")) && apiServer != null) {
                    apiServer = release;
                }
                if (stage.equals("kubelet")) {
                    kubelet = release;
                }
                sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_UPGRADE_RESULT stage=" + stage + " state=upgraded kubelet=" + kubelet
                        + " control_plane=" + (apiServer == null ? "none" : apiServer));
            }
            default -> sink.line(name, LineSink.Stream.STDOUT, "==> " + request.script().fileName() + " done");
        }
        return new ExecResult(0, ExecResult.Outcome.COMPLETED, Duration.ofMillis(1));
    }

    /** A member's etcd ID, made up from its name. */
    static String memberId(String member) {
        return Long.toString(Math.abs((long) member.hashCode()) + 1000);
    }

    /** kubeadm-init.sh hands back the worker join command with the token it was given, as the real script does. */
    @Override
    public io.jenkins.plugins.kubeadm.core.exec.CollectedRun runAndCollect(StepRequest request, LineSink sink, Duration timeout,
                                                                          Cancellation cancellation) {
        if (request.script().fileName().equals("etcd-members.sh")) {
            run(request, sink, timeout, cancellation);
            String removed = request.environment().get("REMOVE_MEMBER_ID");
            if (removed != null) {
                etcdMembers.keySet().removeIf(member -> memberId(member).equals(removed));
            }
            StringBuilder json = new StringBuilder("{\"header\":{},\"members\":[");
            etcdMembers.forEach((member, address) -> {
                json.append(json.charAt(json.length() - 1) == '[' ? "" : ",").append("{\"ID\":\"").append(memberId(member))
                        .append("\",\"name\":\"").append(member).append("\",\"peerURLs\":[\"https://").append(address)
                        .append(":2380\"],\"clientURLs\":[\"https://").append(address).append(":2379\"]}");
                sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_ETCD_HEALTH url=https://" + address + ":2379 healthy="
                        + healthyEtcdAddresses.contains(address));
            });
            json.append("]}");
            return new io.jenkins.plugins.kubeadm.core.exec.CollectedRun(new ExecResult(0, ExecResult.Outcome.COMPLETED,
                    Duration.ofMillis(1)), Map.of("ETCD_MEMBERS_RESULT", json.toString().getBytes(StandardCharsets.UTF_8)));
        }
        if (!request.script().fileName().equals("kubeadm-init.sh")) {
            return new io.jenkins.plugins.kubeadm.core.exec.CollectedRun(run(request, sink, timeout, cancellation), Map.of());
        }
        run(request, sink, timeout, cancellation);
        String token = new String(request.privateFiles().get("JOIN_TOKEN_FILE"), StandardCharsets.UTF_8).trim();
        String endpoint = request.environment().getOrDefault("CONTROL_PLANE_ENDPOINT", ENDPOINT);
        sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_INIT_RESULT state=initialized endpoint=" + endpoint + " ca_cert_hash=" + CA_HASH
                + " kubernetes_version=v1.35.0 token_id=" + token.substring(0, 6) + " certificates_uploaded="
                + request.privateFiles().containsKey("CERTIFICATE_KEY_FILE"));
        byte[] command = ("kubeadm join " + endpoint + " --token " + token + " --discovery-token-ca-cert-hash " + CA_HASH + "\n")
                .getBytes(StandardCharsets.UTF_8);
        return new io.jenkins.plugins.kubeadm.core.exec.CollectedRun(new ExecResult(0, ExecResult.Outcome.COMPLETED, Duration.ofMillis(1)),
                Map.of("JOIN_COMMAND_FILE", command));
    }
}
