package io.jenkins.plugins.kubeadm.agents;

import hudson.remoting.Channel;
import hudson.remoting.RemoteOutputStream;
import io.jenkins.plugins.kubeadm.core.cluster.AdminKubeconfig;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.Kubeconfig;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import jenkins.security.MasterToSlaveCallable;

/**
 * Runs a cluster step on an agent: on the control-plane agent with the admin kubeconfig read there
 * (it never leaves the node), or on the agent of the step's node block with a kubeconfig credential's
 * content (it crosses the channel inside this call, in memory only) or with the admin kubeconfig
 * fetched over SSH from an inventory's control-plane line. Progress lines come back redacted (the
 * kubeconfig's secrets are masked on the agent, where they are known); a failure comes back as its
 * redacted message only.
 */
public final class ClusterOnAgent extends MasterToSlaveCallable<String, IOException> {

    private static final long serialVersionUID = 1L;

    private final ClusterWork work;
    private final OutputStream progress;
    /** SECRET when set: a kubeconfig credential's content. */
    private final String kubeconfig;
    /** When set: the inventory's control-plane node, whose admin kubeconfig is fetched over SSH from this agent. */
    private final NodeTarget controlPlane;

    /** The work on the control-plane agent, with its own admin kubeconfig. @param progress where progress lines go, one per line */
    public ClusterOnAgent(ClusterWork work, OutputStream progress) {
        this(work, progress, null, null);
    }

    /** The work on another agent, with {@code kubeconfig}, or else the admin kubeconfig of {@code controlPlane} over SSH. */
    ClusterOnAgent(ClusterWork work, OutputStream progress, String kubeconfig, NodeTarget controlPlane) {
        this.work = work;
        this.progress = new RemoteOutputStream(progress);
        this.kubeconfig = kubeconfig;
        this.controlPlane = controlPlane;
    }

    private String kubeconfig(SecretRedactor redactor) throws IOException {
        if (kubeconfig != null) {
            return kubeconfig;
        }
        if (controlPlane == null) {
            return AdminKubeconfig.read(AdminKubeconfig.PATH);
        }
        try (SshScriptRunner ssh = new SshScriptRunner(controlPlane)) {
            return AdminKubeconfig.fetch(ssh, (node, stream, text) -> say(redactor, "[" + node + "] " + text), FETCH_TIMEOUT,
                    Cancellation.none());
        }
    }

    private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(2);

    @Override
    public String call() throws IOException {
        SecretRedactor redactor = new SecretRedactor();
        try {
            String content = kubeconfig(redactor);
            redactor.addKubeconfig(content);
            try (ClusterSteps cluster = ClusterSteps.connect(Kubeconfig.fromContent(content), line -> say(redactor, line))) {
                return work.run(cluster);
            }
        } catch (RuntimeException e) {
            throw new IOException(redactor.redact(String.valueOf(e.getMessage())));
        } finally {
            progress.close();
            try {
                Channel.currentOrFail().syncLocalIO();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void say(SecretRedactor redactor, String line) {
        try {
            synchronized (progress) {
                progress.write((redactor.redact(line) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the controller went away; the step ends with the channel
        }
    }

}
