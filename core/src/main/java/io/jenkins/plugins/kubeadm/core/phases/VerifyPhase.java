package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.cluster.ClusterStepException;
import io.jenkins.plugins.kubeadm.core.cluster.VerifyOptions;
import io.jenkins.plugins.kubeadm.core.cluster.VerifyReport;
import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * verifyCluster through the API server: every check a JUnit test case, written beside the run's step
 * logs ({@value #REPORT_FILE}); failed checks end the run unless they only warn.
 */
public final class VerifyPhase implements ClusterPhase {

    public static final String REPORT_FILE = "kubeadm-verify.xml";

    private final VerifyOptions options;
    private final boolean warnOnly;

    /** @param warnOnly failed checks are reported, and the run goes on (the plugin's unstableOnFailure) */
    public VerifyPhase(VerifyOptions options, boolean warnOnly) {
        this.options = Objects.requireNonNull(options, "options");
        this.warnOnly = warnOnly;
    }

    @Override
    public Phase phase() {
        return Phase.VERIFY;
    }

    @Override
    public void run(PhaseContext context) {
        VerifyReport report = context.cluster().verifyCluster(options);
        record(context.facts(), report);
        Path file = context.steps().logs().outputDir().resolve(REPORT_FILE);
        try {
            Files.writeString(file, report.junitXml(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the verifyCluster report " + file, e);
        }
        String summary = "verifyCluster: " + report.summary() + " (JUnit XML in " + file + ")";
        if (!report.failed().isEmpty() && !warnOnly) {
            throw new ClusterStepException(summary);
        }
        context.say(summary);
    }

    /** Each Node's kubelet version and readiness as the checks found them: the cluster page's view at the end of the build. */
    public static void record(ClusterFacts facts, VerifyReport report) {
        for (VerifyReport.NodeState node : report.nodes()) {
            facts.record(ClusterFacts.kubernetesNodeKey(node.name(), "kubelet"), node.kubeletVersion());
            facts.record(ClusterFacts.kubernetesNodeKey(node.name(), "ready"), node.ready() ? "Ready" : "NotReady");
        }
    }
}
