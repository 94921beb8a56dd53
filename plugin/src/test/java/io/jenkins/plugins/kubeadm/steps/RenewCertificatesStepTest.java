package io.jenkins.plugins.kubeadm.steps;

import static org.junit.Assert.assertEquals;

import hudson.model.Result;
import io.jenkins.plugins.kubeadm.StandInNodes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestExtension;

/** renewCertificates bound to Jenkins: the control plane's script with RENEW as asked, the first expiry returned, the warning. */
public class RenewCertificatesStepTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @TestExtension
    public static class Nodes extends StandInNodes {
    }

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
    public void aCheckReturnsTheFirstExpiryAndChangesNothing() throws Exception {
        WorkflowRun b = run("def expires = renewCertificates(label: 'k8s-control-plane')\necho \"first expiry: ${expires}\"", Result.SUCCESS);
        j.assertLogContains("first expiry: 2027-12-05T22:48:00Z", b);
        j.assertLogContains("renewCertificates: cp1: apiserver expires first, on 2027-12-05T22:48:00Z", b);
        assertEquals(List.of("renew-certificates.sh"), StandInNodes.node("cp1").scripts());
        assertEquals("false", StandInNodes.node("cp1").received().get(0).environment().get("RENEW"));
        assertEquals(List.of(), StandInNodes.node("worker1").scripts());
    }

    @Test
    public void aRenewalSoonToExpireStillWarnsAndMarksTheBuildUnstable() throws Exception {
        StandInNodes.node("cp1").certificatesExpire = Instant.now().plus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MINUTES).toString();
        WorkflowRun b = run("renewCertificates(label: 'k8s-control-plane', renew: true, warnWithinDays: 30)", Result.UNSTABLE);
        assertEquals("true", StandInNodes.node("cp1").received().get(0).environment().get("RENEW"));
        j.assertLogContains("renewCertificates: cp1: renewed; apiserver expires first", b);
        j.assertLogContains("within 30 days", b);
    }

    @Test
    public void aBadThresholdIsRefusedBeforeAnyNode() throws Exception {
        WorkflowRun b = run("renewCertificates(label: 'k8s-control-plane', warnWithinDays: -1)", Result.FAILURE);
        j.assertLogContains("warnWithinDays", b);
        assertEquals(List.of(), StandInNodes.node("cp1").scripts());
    }
}
