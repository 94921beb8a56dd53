package io.jenkins.plugins.kubeadm.steps;

import hudson.Extension;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.ClusterWork;
import io.jenkins.plugins.kubeadm.core.addons.Addon;
import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.CniOptions;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import io.jenkins.plugins.kubeadm.core.phases.CniPhase;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** applyCni: the pod network add-on (Flannel, Weave Net or Calico) from its pinned manifest, then every node Ready. */
public final class ApplyCniStep extends ClusterStep {

    private String cni;
    private String version;
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

    public String getVersion() {
        return version;
    }

    /** A release the add-on catalog pins for the CNI, e.g. v0.20.2 for Flannel; empty: its default (newest pinned) one. */
    @DataBoundSetter
    public void setVersion(String version) {
        this.version = Util.fixEmptyAndTrim(version);
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

    Work work(long timeoutMinutes) {
        return new Work(cni, version, podCidr, iface, manifestUrl, sha256, imageRegistry, timeoutMinutes);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        Work work = work(effectiveTimeoutMinutes());
        // The release too: a version the catalog does not pin fails here, before the cluster or an agent is involved.
        validated(() -> work.options().release(AddonCatalog.load()));
        checkedInventory(null);
        return new Execution(context, this, work);
    }

    /** The CNI options as plain values, built into core's {@link CniOptions} where the work runs. */
    record Work(String cni, String version, String podCidr, String iface, String manifestUrl, String sha256,
                String imageRegistry, long timeoutMinutes) implements ClusterWork {

        CniOptions options() {
            CniOptions options = new CniOptions().timeoutSeconds(timeoutMinutes * 60);
            if (cni != null) {
                options.cni(cni);
            }
            if (version != null) {
                options.version(version);
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
        public String run(ClusterSteps cluster) {
            return CniPhase.apply(cluster, options());
        }
    }

    private static final class Execution extends KubeadmStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final transient ApplyCniStep step;
        private final transient Work work;

        Execution(StepContext context, ApplyCniStep step, Work work) {
            super(context, DescriptorImpl.NAME, work.timeoutMinutes());
            this.step = step;
            this.work = work;
        }

        @Override
        Void execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            logs.say(performClusterWork(step, work, run, logs, cancellation));
            // The release the step applied, as the cluster page shows it; the pod network when it was given.
            Addon release = work.options().release(AddonCatalog.load());
            CniPhase.record(new ClusterFacts(logs.stepLogs()), release.name(), release.version(), work.podCidr());
            return null;
        }
    }

    @Extension
    public static final class DescriptorImpl extends KubeadmStepDescriptor {
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
