package io.jenkins.plugins.kubeadm.steps;

import hudson.Extension;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.CniOptions;
import io.jenkins.plugins.kubeadm.core.cluster.CniResult;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** applyCni: the pod network add-on (Flannel, Weave Net or Calico) from its pinned manifest, then every node Ready. */
public final class ApplyCniStep extends ClusterStep {

    private String cni;
    private String podCidr;
    private String iface;
    private String manifestUrl;
    private String sha256;
    private String imageRegistry;

    @DataBoundConstructor
    public ApplyCniStep() {
    }

    public String getCni() {
        return cni;
    }

    @DataBoundSetter
    public void setCni(String cni) {
        this.cni = Util.fixEmptyAndTrim(cni);
    }

    public String getPodCidr() {
        return podCidr;
    }

    @DataBoundSetter
    public void setPodCidr(String podCidr) {
        this.podCidr = Util.fixEmptyAndTrim(podCidr);
    }

    public String getIface() {
        return iface;
    }

    @DataBoundSetter
    public void setIface(String iface) {
        this.iface = Util.fixEmptyAndTrim(iface);
    }

    public String getManifestUrl() {
        return manifestUrl;
    }

    @DataBoundSetter
    public void setManifestUrl(String manifestUrl) {
        this.manifestUrl = Util.fixEmptyAndTrim(manifestUrl);
    }

    public String getSha256() {
        return sha256;
    }

    @DataBoundSetter
    public void setSha256(String sha256) {
        this.sha256 = Util.fixEmptyAndTrim(sha256);
    }

    public String getImageRegistry() {
        return imageRegistry;
    }

    @DataBoundSetter
    public void setImageRegistry(String imageRegistry) {
        this.imageRegistry = Util.fixEmptyAndTrim(imageRegistry);
    }

    CniOptions options(long timeoutMinutes) {
        CniOptions options = new CniOptions().timeoutSeconds(timeoutMinutes * 60);
        if (cni != null) {
            options.cni(cni);
        }
        if (podCidr != null) {
            options.podCidr(podCidr);
        }
        if (iface != null) {
            options.iface(iface);
        }
        if (manifestUrl != null) {
            options.manifestUrl(manifestUrl);
        }
        if (sha256 != null) {
            options.sha256(sha256);
        }
        if (imageRegistry != null) {
            options.imageRegistry(imageRegistry);
        }
        return options;
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        long minutes = effectiveTimeoutMinutes();
        NodeStep.validated(() -> options(minutes));
        requireKubeconfig();
        return new Execution(context, this, minutes);
    }

    private static final class Execution extends KubeadmStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final transient ApplyCniStep step;
        private final long timeoutMinutes;

        Execution(StepContext context, ApplyCniStep step, long timeoutMinutes) {
            super(context, DescriptorImpl.NAME);
            this.step = step;
            this.timeoutMinutes = timeoutMinutes;
        }

        @Override
        Void execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            try (ClusterSteps cluster = connect(run, step.getKubeconfigCredentialsId(), logs, DescriptorImpl.NAME)) {
                CniResult result = cluster.applyCni(step.options(timeoutMinutes));
                logs.say("applyCni: " + result.cni() + " " + result.version() + " for pod network " + result.podCidr()
                        + ": " + result.applied().line() + "; every node is Ready");
            }
            return null;
        }
    }

    @Extension
    public static final class DescriptorImpl extends NodeStep.NodeStepDescriptor {
        static final String NAME = "applyCni";

        @Override
        public String getFunctionName() {
            return NAME;
        }

        @Override
        public String getDisplayName() {
            return "kubeadm: apply the pod network (CNI) add-on";
        }
    }
}
