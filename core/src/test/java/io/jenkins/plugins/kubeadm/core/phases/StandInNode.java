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

    record Call(String script, Map<String, String> environment, Map<String, String> privateFiles) {
    }

    private final String name;
    private final String primaryIp;
    final List<Call> calls = new CopyOnWriteArrayList<>();

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
        calls.add(new Call(request.script().fileName(), request.environment(), files));
        switch (request.script().fileName()) {
            case "prepare-node.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_NODE_IDENTITY hostname="
                    + request.environment().getOrDefault("NODE_HOSTNAME", name) + " product_uuid=uuid-" + name + " machine_id=id-" + name
                    + " macs=- primary_ip=" + primaryIp);
            case "kubeadm-join.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_JOIN_RESULT state=joined endpoint=" + ENDPOINT
                    + " ca_cert_hash=" + CA_HASH);
            case "delete-join-token.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_TOKEN_DELETE_RESULT state=deleted");
            case "node-name.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_NODE_NAME name=" + name.toLowerCase() + " joined=true");
            case "renew-certificates.sh" -> sink.line(name, LineSink.Stream.STDOUT, "KUBEADM_CERTS_RESULT state="
                    + ("true".equals(request.environment().get("RENEW")) ? "renewed" : "checked") + " earliest=2027-12-05T22:48:00Z"
                    + " earliest_certificate=apiserver");
            default -> sink.line(name, LineSink.Stream.STDOUT, "==> " + request.script().fileName() + " done");
        }
        return new ExecResult(0, ExecResult.Outcome.COMPLETED, Duration.ofMillis(1));
    }
}
