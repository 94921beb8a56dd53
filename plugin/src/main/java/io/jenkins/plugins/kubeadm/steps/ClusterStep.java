package io.jenkins.plugins.kubeadm.steps;

import hudson.AbortException;
import hudson.Util;
import hudson.model.Run;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.Kubeconfig;
import io.jenkins.plugins.kubeadm.credentials.KubeconfigCredential;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import java.io.IOException;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.kohsuke.stapler.DataBoundSetter;

/** A step that talks to the cluster's API server (core's {@link ClusterSteps}) with an admin kubeconfig. */
public abstract class ClusterStep extends Step {

    private String kubeconfigCredentialsId;
    private int timeoutMinutes;

    public String getKubeconfigCredentialsId() {
        return kubeconfigCredentialsId;
    }

    /** A secret file credential with an admin kubeconfig of the cluster. */
    @DataBoundSetter
    public void setKubeconfigCredentialsId(String kubeconfigCredentialsId) {
        this.kubeconfigCredentialsId = Util.fixEmptyAndTrim(kubeconfigCredentialsId);
    }

    public int getTimeoutMinutes() {
        return timeoutMinutes;
    }

    /** How long the step waits for the cluster to become ready; 0 for 5 minutes. */
    @DataBoundSetter
    public void setTimeoutMinutes(int timeoutMinutes) {
        this.timeoutMinutes = timeoutMinutes;
    }

    final long effectiveTimeoutMinutes() throws AbortException {
        if (timeoutMinutes < 0 || timeoutMinutes > 24 * 60) {
            throw new AbortException("timeoutMinutes: '" + timeoutMinutes + "' is not a time limit (accepted: 1 to 1440 minutes,"
                    + " or 0 for the default 5)");
        }
        return timeoutMinutes == 0 ? 5 : timeoutMinutes;
    }

    final void requireKubeconfig() throws AbortException {
        if (kubeconfigCredentialsId == null) {
            throw new AbortException("kubeconfigCredentialsId: missing (accepted: the id of a secret file credential holding"
                    + " the cluster's admin kubeconfig, /etc/kubernetes/admin.conf of the control plane)");
        }
    }

    /** Connects with the credential's kubeconfig; its secrets are masked in every line the build prints from here on. */
    static ClusterSteps connect(Run<?, ?> run, String credentialsId, BuildStepLogs logs, String source) throws IOException {
        String content = KubeconfigCredential.read(run, credentialsId);
        logs.redactor().addKubeconfig(content);
        Kubeconfig kubeconfig = KubeconfigCredential.kubeconfig(content);
        return ClusterSteps.connect(kubeconfig, ClusterSteps.progressTo(logs.console(), source));
    }
}
