package io.jenkins.plugins.kubeadm.steps;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import hudson.model.Result;
import hudson.model.Slave;
import io.jenkins.plugins.kubeadm.StandInNode;
import io.jenkins.plugins.kubeadm.StandInNodes;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsSessionRule;
import org.jvnet.hudson.test.TestExtension;

/** A controller restart in the middle of a node step never hangs and never passes: the step fails by name. */
public class RestartTest {

    @Rule
    public JenkinsSessionRule sessions = new JenkinsSessionRule();

    @TestExtension
    public static class Nodes extends StandInNodes {
    }

    @Test
    public void aStepInterruptedByARestartFailsNamingItAndTheNextBuildFinishesTheJob() throws Throwable {
        StandInNodes.reset();
        StandInNode worker = StandInNodes.node("worker1");
        worker.entered = new CountDownLatch(1);
        worker.release = new CountDownLatch(1);
        sessions.then(j -> {
            j.waitOnline(j.createSlave("worker1", "k8s-worker", null));
            WorkflowJob p = j.createProject(WorkflowJob.class, "lab");
            p.setDefinition(new CpsFlowDefinition("installRuntime(label: 'k8s-worker')", true));
            p.scheduleBuild2(0).waitForStart();
            assertTrue("the step reached the node", worker.entered.await(60, TimeUnit.SECONDS));
        });
        worker.entered = null;
        worker.release = null;
        sessions.then(j -> {
            WorkflowJob p = j.jenkins.getItemByFullName("lab", WorkflowJob.class);
            WorkflowRun interrupted = p.getBuildByNumber(1);
            j.waitForCompletion(interrupted);
            j.assertBuildStatus(Result.FAILURE, interrupted);
            j.assertLogContains("installRuntime was interrupted by a restart of Jenkins", interrupted);
            // The agent reconnects after the restart; then the same build finishes the job.
            j.waitOnline((Slave) j.jenkins.getNode("worker1"));
            WorkflowRun again = j.buildAndAssertSuccess(p);
            assertEquals(2, again.getNumber());
        });
    }
}
