package io.jenkins.plugins.kubeadm.steps;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import hudson.model.Result;
import io.jenkins.plugins.kubeadm.StandInNodes;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterStepException;
import java.util.List;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestExtension;

/**
 * removeNode bound to Jenkins: the nodes say their Node names, the control plane's agent does the API
 * server's part, and only then are the nodes reset; a refused drain resets nothing.
 */
public class RemoveNodeStepTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @TestExtension
    public static class Nodes extends StandInNodes {
    }

    @Before
    public void agents() throws Exception {
        StandInNodes.labAgents(j, "worker1", "worker2");
    }

    private WorkflowRun run(String script, Result expected) throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return j.assertBuildStatus(expected, p.scheduleBuild2(0));
    }

    @Test
    public void theNamedWorkerIsDrainedOnTheControlPlanesAgentThenReset() throws Exception {
        StandInNodes.node("cp1").clusterWorkReply = work -> "removeNode: drained and deleted " + ((RemoveNodeStep.Work) work).kubernetesNodes()
                .get(0);
        WorkflowRun b = run("removeNode(label: 'worker2', drainTimeoutSeconds: 60)", Result.SUCCESS);
        assertEquals(List.of("node-name.sh", "reset-node.sh"), StandInNodes.node("worker2").scripts());
        assertEquals(List.of(), StandInNodes.node("worker1").scripts());
        RemoveNodeStep.Work work = (RemoveNodeStep.Work) StandInNodes.node("cp1").clusterWork().get(0);
        assertEquals(List.of("worker2"), work.kubernetesNodes());
        assertEquals(60, work.drainTimeoutSeconds());
        j.assertLogContains("removeNode: drained and deleted worker2", b);
        j.assertLogContains("removeNode: reset worker2", b);
    }

    @Test
    public void aDrainTheClusterRefusesResetsNothing() throws Exception {
        StandInNodes.node("cp1").clusterWorkReply = work -> {
            throw new ClusterStepException("removeNode: draining worker2 would be blocked, so nothing was changed:\n"
                    + "  default/web-1 on worker2: PodDisruptionBudget default/web allows 0 disruption(s) now");
        };
        WorkflowRun b = run("removeNode(label: 'worker2')", Result.FAILURE);
        j.assertLogContains("PodDisruptionBudget default/web allows 0 disruption(s) now", b);
        assertEquals(List.of("node-name.sh"), StandInNodes.node("worker2").scripts());
    }

    @Test
    public void withoutNodesOrWithABadTimeoutNothingRuns() throws Exception {
        WorkflowRun b = run("removeNode()", Result.FAILURE);
        j.assertLogContains("label: is required: removeNode never picks nodes by itself", b);
        b = run("removeNode(label: 'worker2', drainTimeoutSeconds: -5)", Result.FAILURE);
        j.assertLogContains("drainTimeoutSeconds", b);
        assertEquals(List.of(), StandInNodes.node("worker2").scripts());
        assertEquals(0, StandInNodes.node("cp1").clusterWork().size());
    }

    @Test
    public void aControlPlaneOfThreeLeavesEtcdThroughAnotherControlPlaneAgent() throws Exception {
        j.waitOnline(j.createSlave("cp2", "k8s-control-plane", null));
        j.waitOnline(j.createSlave("cp3", "k8s-control-plane", null));
        StandInNodes.node("cp1").etcdMembers.addAll(List.of("cp1", "cp2", "cp3"));
        WorkflowRun b = run("removeNode(label: 'cp3')", Result.SUCCESS);
        assertEquals(List.of("node-name.sh", "reset-node.sh"), StandInNodes.node("cp3").scripts());
        assertEquals(List.of("etcd-members.sh", "etcd-members.sh"), StandInNodes.node("cp1").scripts());
        assertEquals("151", StandInNodes.node("cp1").received().get(1).environment().get("REMOVE_MEMBER_ID"));
        RemoveNodeStep.Work work = (RemoveNodeStep.Work) StandInNodes.node("cp1").clusterWork().get(0);
        assertEquals(List.of("cp3"), work.controlPlanes());
        assertEquals(List.of("cp1", "cp2"), StandInNodes.node("cp1").etcdMembers);
        j.assertLogContains("removeNode: etcd member cp3 removed; etcd has 2 members: cp1, cp2", b);
    }

    @Test
    public void oneControlPlaneOfTwoIsRefusedBeforeAnythingChanges() throws Exception {
        j.waitOnline(j.createSlave("cp2", "k8s-control-plane", null));
        StandInNodes.node("cp1").etcdMembers.addAll(List.of("cp1", "cp2"));
        WorkflowRun b = run("removeNode(label: 'cp2')", Result.FAILURE);
        j.assertLogContains("label: removing cp2 would leave etcd 1 healthy member of 2 (cp1 healthy, cp2 healthy)", b);
        assertEquals(List.of("node-name.sh"), StandInNodes.node("cp2").scripts());
        assertEquals(List.of("etcd-members.sh"), StandInNodes.node("cp1").scripts());
        assertEquals(0, StandInNodes.node("cp1").clusterWork().size());
    }
}
