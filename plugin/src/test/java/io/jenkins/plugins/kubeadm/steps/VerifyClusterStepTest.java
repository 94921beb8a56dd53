package io.jenkins.plugins.kubeadm.steps;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import hudson.model.Result;
import hudson.tasks.junit.CaseResult;
import hudson.tasks.junit.TestResultAction;
import io.jenkins.plugins.kubeadm.StandInNodes;
import io.jenkins.plugins.kubeadm.core.cluster.VerifyReport;
import java.time.Duration;
import java.util.List;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestExtension;

/** verifyCluster bound to Jenkins: the report reaches the workspace and the junit step; failures fail or mark unstable. */
public class VerifyClusterStepTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @TestExtension
    public static class Nodes extends StandInNodes {
    }

    static final VerifyReport HEALTHY = new VerifyReport(List.of(
            new VerifyReport.Check("nodes", "cp1 is Ready", null, Duration.ofMillis(10)),
            new VerifyReport.Check("dns", "cp1: CoreDNS answers a lookup from a pod", null, Duration.ofSeconds(2)),
            new VerifyReport.Check("service", "worker1: a ClusterIP Service reaches its pods", null, Duration.ofSeconds(2))));
    static final VerifyReport BROKEN = new VerifyReport(List.of(
            HEALTHY.checks().get(0), HEALTHY.checks().get(1),
            new VerifyReport.Check("service", "worker1: a ClusterIP Service reaches its pods", "wget: download timed out",
                    Duration.ofSeconds(5))));

    @Before
    public void agents() throws Exception {
        StandInNodes.labAgents(j, "worker1");
    }

    private WorkflowRun run(String script, Result expected) throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return j.assertBuildStatus(expected, p.scheduleBuild2(0));
    }

    @Test
    public void theChecksReachTheBuildsTestResults() throws Exception {
        StandInNodes.node("cp1").clusterWorkReply = work -> HEALTHY.encode();
        WorkflowRun b = run("node('worker1') { verifyCluster(); junit 'kubeadm-verify.xml' }", Result.SUCCESS);
        TestResultAction tests = b.getAction(TestResultAction.class);
        assertNotNull("the junit step read the report", tests);
        assertEquals(3, tests.getTotalCount());
        assertEquals(0, tests.getFailCount());
        j.assertLogContains("verifyCluster: 3 of 3 checks passed", b);
        assertTrue(StandInNodes.node("cp1").clusterWork().get(0).toString().startsWith("Work[probeImage=null, gpuSmokeImage=null, timeoutMinutes=5]"));
    }

    @Test
    public void failedChecksMarkTheBuildUnstableWhenAskedEachNamedInTheTestsAndTheConsole() throws Exception {
        StandInNodes.node("cp1").clusterWorkReply = work -> BROKEN.encode();
        WorkflowRun b = run("node('worker1') { verifyCluster(unstableOnFailure: true, reportFile: 'reports/cluster.xml',"
                + " probeImage: '10.0.0.5:5000/library/busybox:1.36.1'); junit 'reports/cluster.xml' }", Result.UNSTABLE);
        TestResultAction tests = b.getAction(TestResultAction.class);
        assertEquals(1, tests.getFailCount());
        CaseResult failed = tests.getFailedTests().get(0);
        assertEquals("verifyCluster.service", failed.getClassName());
        assertEquals("worker1: a ClusterIP Service reaches its pods", failed.getName());
        assertEquals("wget: download timed out", failed.getErrorDetails());
        j.assertLogContains("FAILED service: worker1: a ClusterIP Service reaches its pods: wget: download timed out", b);
    }

    @Test
    public void aGpuSmokeImageReachesTheChecks() throws Exception {
        StandInNodes.node("cp1").clusterWorkReply = work -> HEALTHY.encode();
        run("verifyCluster(gpuSmokeImage: '10.0.0.5:5000/nvidia/cuda:12.4.1-base-ubuntu22.04')", Result.SUCCESS);
        VerifyClusterStep.Work work = (VerifyClusterStep.Work) StandInNodes.node("cp1").clusterWork().get(0);
        assertEquals("10.0.0.5:5000/nvidia/cuda:12.4.1-base-ubuntu22.04", work.gpuSmokeImage());
        WorkflowRun b = run("verifyCluster(gpuSmokeImage: 'not an image')", Result.FAILURE);
        j.assertLogContains("gpuSmokeImage", b);
        assertEquals(1, StandInNodes.node("cp1").clusterWork().size());
    }

    @Test
    public void failedChecksFailTheStepByDefaultAfterWritingTheReport() throws Exception {
        StandInNodes.node("cp1").clusterWorkReply = work -> BROKEN.encode();
        WorkflowRun b = run("node('worker1') { try { verifyCluster() } finally { junit 'kubeadm-verify.xml' } }", Result.FAILURE);
        j.assertLogContains("verifyCluster: 2 of 3 checks passed", b);
        assertEquals(1, b.getAction(TestResultAction.class).getFailCount());
    }

    @Test
    public void aReplyNotInTheReportsFormIsRefused() throws Exception {
        StandInNodes.node("cp1").clusterWorkReply = work -> "nodes\u001fcp1\u001fsoon\u001f\u001e";
        WorkflowRun b = run("node('worker1') { verifyCluster() }", Result.FAILURE);
        j.assertLogContains("verifyCluster: the agent's reply was refused", b);
    }

    @Test
    public void aReportFileOutsideTheWorkspaceIsRefusedBeforeAnythingRuns() throws Exception {
        WorkflowRun b = run("node('worker1') { verifyCluster(reportFile: '../../secrets/x.xml') }", Result.FAILURE);
        j.assertLogContains("reportFile: '../../secrets/x.xml' leaves the workspace", b);
        b = run("verifyCluster(probeImage: 'not an image')", Result.FAILURE);
        j.assertLogContains("probeImage", b);
        assertEquals(0, StandInNodes.node("cp1").clusterWork().size());
    }
}
