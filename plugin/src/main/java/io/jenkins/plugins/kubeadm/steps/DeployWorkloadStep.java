package io.jenkins.plugins.kubeadm.steps;

import hudson.AbortException;
import hudson.Extension;
import hudson.FilePath;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.ClusterWork;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.WorkloadOptions;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.phases.WorkloadPhase;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** deployWorkload: applies manifests, waits for their rollout, optionally rolls back, and smoke-checks a Service. */
public final class DeployWorkloadStep extends ClusterStep {

    private String manifest;
    private String manifestText;
    private String namespace;
    private boolean rollbackOnFailure;
    private String smokeTarget;
    private String smokePath;

    @DataBoundConstructor
    public DeployWorkloadStep() {
    }

    public String getManifest() {
        return manifest;
    }

    /** A manifest file in the workspace. */
    @DataBoundSetter
    public void setManifest(String manifest) {
        this.manifest = Util.fixEmptyAndTrim(manifest);
    }

    public String getManifestText() {
        return manifestText;
    }

    @DataBoundSetter
    public void setManifestText(String manifestText) {
        this.manifestText = Util.fixEmptyAndTrim(manifestText);
    }

    public String getNamespace() {
        return namespace;
    }

    @DataBoundSetter
    public void setNamespace(String namespace) {
        this.namespace = Util.fixEmptyAndTrim(namespace);
    }

    public boolean isRollbackOnFailure() {
        return rollbackOnFailure;
    }

    @DataBoundSetter
    public void setRollbackOnFailure(boolean rollbackOnFailure) {
        this.rollbackOnFailure = rollbackOnFailure;
    }

    public String getSmokeTarget() {
        return smokeTarget;
    }

    /** service/NAME:PORT answered through the API server's proxy after the rollout. */
    @DataBoundSetter
    public void setSmokeTarget(String smokeTarget) {
        this.smokeTarget = Util.fixEmptyAndTrim(smokeTarget);
    }

    public String getSmokePath() {
        return smokePath;
    }

    @DataBoundSetter
    public void setSmokePath(String smokePath) {
        this.smokePath = Util.fixEmptyAndTrim(smokePath);
    }

    Work work(String text, long timeoutMinutes) {
        return new Work(text, namespace, rollbackOnFailure, smokeTarget, smokePath, timeoutMinutes);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        if ((manifest == null) == (manifestText == null)) {
            throw new AbortException("manifest: give exactly one of manifest and manifestText (accepted: manifest: 'k8s/app.yaml',"
                    + " a file in the workspace, or manifestText: the YAML itself)");
        }
        long minutes = effectiveTimeoutMinutes();
        validated(() -> work(manifestText == null ? "kind: ConfigMap" : manifestText, minutes).options());
        checkedInventory(null);
        return new Execution(context, this, minutes);
    }

    /** The workload options as plain values, built into core's {@link WorkloadOptions} where the work runs. */
    record Work(String manifestText, String namespace, boolean rollbackOnFailure, String smokeTarget, String smokePath,
                long timeoutMinutes) implements ClusterWork {

        WorkloadOptions options() {
            WorkloadOptions options = new WorkloadOptions().manifestText(manifestText).rollbackOnFailure(rollbackOnFailure)
                    .timeoutSeconds(timeoutMinutes * 60);
            if (namespace != null) {
                options.namespace(namespace);
            }
            if (smokeTarget != null) {
                options.smokeTarget(smokeTarget);
            }
            if (smokePath != null) {
                options.smokePath(smokePath);
            }
            return options;
        }

        @Override
        public String run(ClusterSteps cluster) {
            return WorkloadPhase.apply(cluster, options());
        }
    }

    private static final class Execution extends KubeadmStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final transient DeployWorkloadStep step;
        private final long timeoutMinutes;

        Execution(StepContext context, DeployWorkloadStep step, long timeoutMinutes) {
            super(context, DescriptorImpl.NAME, timeoutMinutes);
            this.step = step;
            this.timeoutMinutes = timeoutMinutes;
        }

        @Override
        Void execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            String text = step.manifestText;
            if (text == null) {
                FilePath workspace = getContext().get(FilePath.class);
                if (workspace == null) {
                    throw new AbortException("manifest: a workspace file needs a node('...') { } block around deployWorkload"
                            + " (or give manifestText)");
                }
                FilePath file = workspace.child(step.manifest);
                if (!file.exists()) {
                    throw new AbortException("manifest: '" + step.manifest + "' is not a file in the workspace " + workspace.getRemote());
                }
                text = file.readToString();
            }
            logs.say(performClusterWork(step, step.work(text, timeoutMinutes), run, logs, cancellation));
            return null;
        }
    }

    @Extension
    public static final class DescriptorImpl extends KubeadmStepDescriptor {
        static final String NAME = "deployWorkload";

        @Override
        public String getFunctionName() {
            return NAME;
        }

        @Override
        public String getDisplayName() {
            return "kubeadm: deploy a workload and wait for its rollout";
        }
    }
}
