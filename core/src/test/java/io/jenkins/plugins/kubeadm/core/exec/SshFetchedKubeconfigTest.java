package io.jenkins.plugins.kubeadm.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.cluster.AdminKubeconfig;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterStepException;
import io.jenkins.plugins.kubeadm.core.cluster.Kubeconfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An inventory node is no more trusted than a credential: an admin kubeconfig fetched from it over SSH
 * whose user has an exec command is refused on the controller, and the command does not run there.
 */
class SshFetchedKubeconfigTest {

    /**
     * The SSH runner with fetch-admin-kubeconfig.sh as shipped, except that the control plane's
     * /etc/kubernetes/admin.conf is a file of the test's (this machine has no control plane).
     */
    private static final class ControlPlaneOverSsh implements ScriptRunner {
        private final SshScriptRunner ssh;
        private final Path adminConf;

        ControlPlaneOverSsh(SshScriptRunner ssh, Path adminConf) {
            this.ssh = ssh;
            this.adminConf = adminConf;
        }

        @Override
        public String nodeName() {
            return ssh.nodeName();
        }

        @Override
        public ExecResult run(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) {
            throw new AssertionError("the kubeconfig must come back as a result file");
        }

        @Override
        public CollectedRun runAndCollect(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation)
                throws IOException {
            String script = new String(request.script().content(), StandardCharsets.UTF_8);
            assertTrue(script.contains("=" + AdminKubeconfig.PATH + "\n"), "the fetch script reads " + AdminKubeconfig.PATH);
            StepScript moved = new StepScript(request.script().fileName(),
                    script.replace("=" + AdminKubeconfig.PATH + "\n", "=" + adminConf + "\n").getBytes(StandardCharsets.UTF_8),
                    request.script().commonLibrary());
            return ssh.runAndCollect(new StepRequest(moved, request.environment(), request.privateFiles(), request.resultFiles()),
                    sink, timeout, cancellation);
        }

        @Override
        public void close() throws IOException {
            ssh.close();
        }
    }

    @Test
    void aFetchedKubeconfigWithExecIsRefusedAndItsCommandDoesNotRunOnTheController(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("marker");
        String hostile = "apiVersion: v1\nkind: Config\nclusters:\n- name: kubernetes\n  cluster:\n    server: https://127.0.0.1:1\n"
                + "users:\n- name: kubernetes-admin\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                + "      command: /bin/sh\n      args: [\"-c\", \"touch " + marker + "\"]\n"
                + "contexts:\n- name: admin\n  context:\n    cluster: kubernetes\n    user: kubernetes-admin\n"
                + "current-context: admin\n";
        Path adminConf = dir.resolve("admin.conf");
        Files.writeString(adminConf, hostile);
        List<String> lines = new CopyOnWriteArrayList<>();
        String fetched;
        try (TestSshServer server = new TestSshServer(Files.createDirectory(dir.resolve("ssh")));
             ControlPlaneOverSsh cp = new ControlPlaneOverSsh(new SshScriptRunner(new NodeTarget("cp1", "127.0.0.1", server.port(),
                     System.getProperty("user.name"), server.clientKey, new HostKeyPolicy.PinnedFingerprint(server.hostKeyFingerprint))),
                     adminConf)) {
            fetched = AdminKubeconfig.fetch(cp, (node, stream, text) -> lines.add(text), Duration.ofMinutes(1), Cancellation.none());
        }
        assertEquals(hostile, fetched, "the kubeconfig came back over SSH as the node has it");
        assertTrue(lines.stream().anyMatch(l -> l.contains("admin kubeconfig handed to the step")), lines.toString());
        ClusterStepException e = assertThrows(ClusterStepException.class, () -> Kubeconfig.fromContent(fetched).connect());
        assertTrue(e.getMessage().startsWith("kubeconfig content: users[kubernetes-admin].user.exec is not accepted: it would run"
                + " a command"), e.getMessage());
        assertFalse(e.getMessage().contains(marker.toString()), e.getMessage());
        assertFalse(Files.exists(marker), "the exec command ran");
    }
}
