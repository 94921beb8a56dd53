package io.jenkins.plugins.kubeadm.agents;

import hudson.remoting.Channel;
import hudson.remoting.RemoteOutputStream;
import io.jenkins.plugins.kubeadm.core.cluster.AdminKubeconfig;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.Kubeconfig;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import jenkins.security.MasterToSlaveCallable;

/**
 * Runs a cluster step on the control-plane agent with the admin kubeconfig read there: the
 * kubeconfig never leaves the node. Progress lines come back redacted (the kubeconfig's secrets are
 * masked on the node, where they are known); a failure comes back as its redacted message only.
 */
public final class ClusterOnAgent extends MasterToSlaveCallable<String, IOException> {

    private static final long serialVersionUID = 1L;

    private final ClusterWork work;
    private final OutputStream progress;

    /** @param progress where progress lines go, one per line */
    public ClusterOnAgent(ClusterWork work, OutputStream progress) {
        this.work = work;
        this.progress = new RemoteOutputStream(progress);
    }

    @Override
    public String call() throws IOException {
        SecretRedactor redactor = new SecretRedactor();
        try {
            String content = AdminKubeconfig.read(AdminKubeconfig.PATH);
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
