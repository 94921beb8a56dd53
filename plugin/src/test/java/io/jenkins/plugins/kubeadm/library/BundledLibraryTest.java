package io.jenkins.plugins.kubeadm.library;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.jenkins.plugins.kubeadm.StandInNodes;
import java.util.List;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestExtension;

/** The library in the plugin loads with no library configured and no @Library line. */
public class BundledLibraryTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @TestExtension
    public static class Nodes extends StandInNodes {
    }

    @Test
    public void aPipelineWithNoLibraryConfiguredCallsTheBundledVars() throws Exception {
        StandInNodes.labAgents(j, "worker1");
        WorkflowJob p = j.createProject(WorkflowJob.class);
        // Sandboxed, as an ordinary Jenkinsfile: the bundled library is trusted, the Jenkinsfile is not.
        p.setDefinition(new CpsFlowDefinition("kubeadmCluster(reset: true, kubernetesVersion: '1.33')", true));
        WorkflowRun b = j.buildAndAssertSuccess(p);
        j.assertLogContains("Loading library " + BundledLibraryResolver.LIBRARY_NAME, b);
        assertEquals(List.of("reset-node.sh", "prepare-node.sh", "install-runtime.sh", "kubeadm-init.sh", "delete-join-token.sh"),
                StandInNodes.node("cp1").scripts());
        assertEquals(List.of("reset-node.sh", "prepare-node.sh", "install-runtime.sh", "kubeadm-join.sh"),
                StandInNodes.node("worker1").scripts());
        assertEquals("1.33", StandInNodes.node("worker1").received().get(2).environment().get("KUBERNETES_VERSION"));
        // The pod network goes on from the control-plane agent, where the admin kubeconfig is.
        assertEquals(1, StandInNodes.node("cp1").clusterWork().size());
        assertTrue(StandInNodes.node("cp1").clusterWork().get(0).toString(), StandInNodes.node("cp1").clusterWork().get(0).toString()
                .startsWith("Work[cni=flannel"));
        j.assertLogContains("[applyCni] stand-in API server took Work", b);
    }

    @Test
    public void theLibraryCanAlsoBeNamedExplicitly() throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class);
        p.setDefinition(new CpsFlowDefinition("@Library('kubeadm-pipeline') _\n"
                + "try { kubeadmCluster(typo: 1) } catch (e) { echo \"caught: ${e.message}\" }", true));
        WorkflowRun b = j.buildAndAssertSuccess(p);
        j.assertLogContains("caught: kubeadmCluster: unknown parameter(s) typo", b);
    }
}
