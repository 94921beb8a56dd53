package io.jenkins.plugins.kubeadm.steps;

import hudson.AbortException;
import hudson.Extension;
import hudson.FilePath;
import hudson.Util;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.ClusterWork;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.VerifyOptions;
import io.jenkins.plugins.kubeadm.core.cluster.VerifyReport;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import io.jenkins.plugins.kubeadm.core.phases.VerifyPhase;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import java.nio.charset.StandardCharsets;
import org.jenkinsci.plugins.workflow.actions.WarningAction;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * verifyCluster: checks that the cluster works, each check a test case (core's ClusterVerifier), and
 * writes them as JUnit XML into the workspace for the junit step. Failed checks fail the step, or with
 * unstableOnFailure mark the build unstable, naming each with its evidence.
 */
public final class VerifyClusterStep extends ClusterStep {

    static final String DEFAULT_REPORT_FILE = VerifyPhase.REPORT_FILE;

    private String probeImage;
    private String reportFile = DEFAULT_REPORT_FILE;
    private boolean unstableOnFailure;
    private String gpuSmokeImage;

    @DataBoundConstructor
    public VerifyClusterStep() {
    }

    public String getProbeImage() {
        return probeImage;
    }

    /** The probe pods' image (sh, wget, nslookup, httpd); empty: the pinned busybox of lib/defaults.env. */
    @DataBoundSetter
    public void setProbeImage(String probeImage) {
        this.probeImage = Util.fixEmptyAndTrim(probeImage);
    }

    public String getReportFile() {
        return reportFile;
    }

    /** Where in the workspace the JUnit XML goes; empty: kubeadm-verify.xml. */
    @DataBoundSetter
    public void setReportFile(String reportFile) {
        String file = Util.fixEmptyAndTrim(reportFile);
        this.reportFile = file == null ? DEFAULT_REPORT_FILE : file;
    }

    public String getGpuSmokeImage() {
        return gpuSmokeImage;
    }

    /** An image with nvidia-smi: the checks also run it in a pod that requests one GPU; empty: no such check. */
    @DataBoundSetter
    public void setGpuSmokeImage(String gpuSmokeImage) {
        this.gpuSmokeImage = Util.fixEmptyAndTrim(gpuSmokeImage);
    }

    public boolean isUnstableOnFailure() {
        return unstableOnFailure;
    }

    @DataBoundSetter
    public void setUnstableOnFailure(boolean unstableOnFailure) {
        this.unstableOnFailure = unstableOnFailure;
    }

    Work work(long timeoutMinutes) {
        return new Work(probeImage, gpuSmokeImage, timeoutMinutes);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        long minutes = effectiveTimeoutMinutes();
        validated(() -> work(minutes).options());
        validated(() -> Validators.workspaceFile("reportFile", reportFile));
        checkedInventory(null);
        return new Execution(context, this, minutes);
    }

    /** The checks' options as plain values, built into core's {@link VerifyOptions} where the work runs. */
    record Work(String probeImage, String gpuSmokeImage, long timeoutMinutes) implements ClusterWork {

        VerifyOptions options() {
            return new VerifyOptions().probeImage(probeImage).gpuSmokeImage(gpuSmokeImage).timeoutSeconds(timeoutMinutes * 60);
        }

        /** The report, encoded on one line; the controller decodes it strictly. */
        @Override
        public String run(ClusterSteps cluster) {
            return cluster.verifyCluster(options()).encode();
        }

        @Override
        public int maxReplyChars() {
            return VerifyReport.MAX_ENCODED_CHARS;
        }
    }

    private static final class Execution extends KubeadmStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final transient VerifyClusterStep step;
        private final long timeoutMinutes;

        Execution(StepContext context, VerifyClusterStep step, long timeoutMinutes) {
            super(context, DescriptorImpl.NAME, timeoutMinutes);
            this.step = step;
            this.timeoutMinutes = timeoutMinutes;
        }

        @Override
        Void execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            String reply = performClusterWork(step, step.work(timeoutMinutes), run, logs, cancellation);
            VerifyReport report;
            try {
                report = VerifyReport.decode(reply);
            } catch (IllegalArgumentException e) {
                throw new AbortException("verifyCluster: the agent's reply was refused: " + e.getMessage());
            }
            VerifyPhase.record(new ClusterFacts(logs.stepLogs()), report);
            FilePath workspace = getContext().get(FilePath.class);
            if (workspace != null) {
                workspace.child(step.reportFile).write(report.junitXml(), StandardCharsets.UTF_8.name());
                logs.say("verifyCluster: " + report.checks().size() + " checks written to " + step.reportFile + " (publish with junit '"
                        + step.reportFile + "')");
            } else {
                logs.say("verifyCluster: no workspace, so no JUnit report (run it inside node('...') { } to have one)");
            }
            String summary = "verifyCluster: " + report.summary();
            if (report.failed().isEmpty()) {
                logs.say(summary);
                return null;
            }
            if (step.unstableOnFailure) {
                logs.say(summary);
                getContext().get(FlowNode.class).addOrReplaceAction(new WarningAction(Result.UNSTABLE)
                        .withMessage(report.failed().size() + " cluster check(s) failed"));
                run.setResult(Result.UNSTABLE);
                return null;
            }
            throw new AbortException(summary);
        }
    }

    @Extension
    public static final class DescriptorImpl extends KubeadmStepDescriptor {
        static final String NAME = "verifyCluster";

        @Override
        public String getFunctionName() {
            return NAME;
        }

        @Override
        public String getDisplayName() {
            return "kubeadm: verify the cluster works (nodes, DNS, pod network, Services) as test results";
        }
    }
}
