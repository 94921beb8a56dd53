package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.CollectedRun;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.exec.StepScript;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The control plane's admin kubeconfig read where it lives, on the control-plane node itself, so it
 * never has to leave that node: the cluster steps then run there. It is root-only
 * ({@code /etc/kubernetes/admin.conf}, mode 600), so a non-root process reads it through {@code sudo -n}.
 */
public final class AdminKubeconfig {

    /** Where kubeadm init writes it. */
    public static final Path PATH = Path.of("/etc/kubernetes/admin.conf");

    /** The result file fetch-admin-kubeconfig.sh writes the kubeconfig to. */
    static final String RESULT = "ADMIN_KUBECONFIG_RESULT";

    private AdminKubeconfig() {
    }

    /**
     * The file's content fetched from the control plane through a runner (SSH for a node that is no
     * agent): it comes back as a result file, never through the output, and is kept in memory only.
     * SECRET, as {@link #read}'s.
     *
     * @param sink where the script's own lines (no kubeconfig in them) go
     * @throws IOException naming the node and the script's error
     */
    public static String fetch(ScriptRunner controlPlane, LineSink sink, Duration timeout, Cancellation cancellation) throws IOException {
        StepRequest request = new StepRequest(StepScript.load("fetch-admin-kubeconfig.sh"), Map.of(), Map.of(), Set.of(RESULT));
        StringBuilder errors = new StringBuilder();
        LineSink keepErrors = (node, stream, text) -> {
            if (stream == LineSink.Stream.STDERR && text.startsWith("ERROR: ")) {
                errors.setLength(0);
                errors.append(text.substring("ERROR: ".length()));
            }
            sink.line(node, stream, text);
        };
        CollectedRun run = controlPlane.runAndCollect(request, keepErrors, timeout, cancellation);
        try {
            byte[] file = run.files().get(RESULT); // absent when the run failed before collecting
            String content = file == null ? "" : new String(file, StandardCharsets.UTF_8);
            if (!run.result().succeeded() || content.isBlank()) {
                throw new IOException(controlPlane.nodeName() + ": cannot fetch the admin kubeconfig " + PATH + ": "
                        + (errors.length() > 0 ? errors : run.result().succeeded() ? "it is empty" : "the script failed (" + run.result() + ")"));
            }
            return content;
        } finally {
            run.clear();
        }
    }

    /**
     * The file's content. SECRET: it holds the cluster admin's client key.
     *
     * @throws IOException naming the node's problem: no control plane here, or no root access
     */
    public static String read(Path file) throws IOException {
        if (Files.isReadable(file)) {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        String problem = "cannot read the admin kubeconfig " + file + " on this node: it is not a control plane (kubeadmInit"
                + " writes it), or this user may not use 'sudo -n'. Run the step with the control-plane agent's label,"
                + " or give kubeconfigCredentialsId";
        Process cat;
        try {
            cat = new ProcessBuilder("sudo", "-n", "cat", "--", file.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException noSudo) {
            throw new IOException(problem + " (no sudo here)");
        }
        String content;
        try (InputStream in = cat.getInputStream()) {
            content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!cat.waitFor(30, TimeUnit.SECONDS)) {
                cat.destroyForcibly();
                throw new IOException("reading " + file + " with sudo did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cat.destroyForcibly();
            throw new IOException("interrupted while reading " + file, e);
        }
        if (cat.exitValue() != 0 || content.isBlank()) {
            throw new IOException(problem);
        }
        return content;
    }
}
