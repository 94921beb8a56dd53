package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.CollectedRun;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admin kubeconfig fetched through a runner (SSH for inventory nodes): as a result file, never as output. */
class AdminKubeconfigFetchTest {

    private static final String KUBECONFIG = "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: abcdef.0123456789abcdef\n";

    /** A control plane that answers the fetch script as the real one does, or fails as one without kubeadmInit. */
    private static final class ControlPlane implements ScriptRunner {
        final List<StepRequest> received = new ArrayList<>();
        byte[] handedOut;
        boolean initialized = true;

        @Override
        public String nodeName() {
            return "cp1";
        }

        @Override
        public ExecResult run(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) {
            throw new AssertionError("the kubeconfig must come back as a result file");
        }

        @Override
        public CollectedRun runAndCollect(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) {
            received.add(request);
            if (!initialized) {
                sink.line("cp1", LineSink.Stream.STDERR, "ERROR: /etc/kubernetes/admin.conf is missing: this node is not a control plane");
                return new CollectedRun(new ExecResult(1, ExecResult.Outcome.COMPLETED, Duration.ZERO),
                        Map.of(AdminKubeconfig.RESULT, new byte[0]));
            }
            sink.line("cp1", LineSink.Stream.STDOUT, "==> admin kubeconfig handed to the step (in memory only)");
            handedOut = KUBECONFIG.getBytes(StandardCharsets.UTF_8);
            return new CollectedRun(new ExecResult(0, ExecResult.Outcome.COMPLETED, Duration.ZERO), Map.of(AdminKubeconfig.RESULT, handedOut));
        }
    }

    @Test
    void theKubeconfigComesBackAsTheResultFileAndItsBytesAreWipedAfterwards() throws IOException {
        ControlPlane cp = new ControlPlane();
        List<String> lines = new ArrayList<>();
        String content = AdminKubeconfig.fetch(cp, (node, stream, text) -> lines.add(text), Duration.ofMinutes(1), Cancellation.none());
        assertEquals(KUBECONFIG, content);
        StepRequest request = cp.received.get(0);
        assertEquals("fetch-admin-kubeconfig.sh", request.script().fileName());
        assertEquals(java.util.Set.of("ADMIN_KUBECONFIG_RESULT"), request.resultFiles());
        assertArrayEquals(new byte[cp.handedOut.length], cp.handedOut, "the collected copy is zeroed once read");
        assertFalse(String.join("\n", lines).contains("0123456789abcdef"));
    }

    @Test
    void aNodeWithoutAControlPlaneIsNamedWithTheScriptsReason() {
        ControlPlane cp = new ControlPlane();
        cp.initialized = false;
        IOException e = assertThrows(IOException.class,
                () -> AdminKubeconfig.fetch(cp, LineSink.NONE, Duration.ofMinutes(1), Cancellation.none()));
        assertTrue(e.getMessage().startsWith("cp1: cannot fetch the admin kubeconfig /etc/kubernetes/admin.conf: "
                + "/etc/kubernetes/admin.conf is missing"), e.getMessage());
    }
}
