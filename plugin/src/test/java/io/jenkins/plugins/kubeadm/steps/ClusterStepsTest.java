package io.jenkins.plugins.kubeadm.steps;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import hudson.model.Result;
import io.jenkins.plugins.kubeadm.StandInNodes;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestExtension;

/** applyCni, deployWorkload and installGpuPlugin bound to the control-plane agent: parameters, validation, agent choice. */
public class ClusterStepsTest {

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
    public void theClusterStepsRunOnTheControlPlaneAgentWithTheirParameters() throws Exception {
        run("applyCni(cni: 'calico', version: 'v3.29.3', podCidr: '192.168.0.0/16')\n"
                + "deployWorkload(manifestText: 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: a\\n', rollbackOnFailure: true,"
                + " smokeTarget: 'service/nginx:80')\n"
                + "installGpuPlugin(runtime: 'runtimeClass')", Result.SUCCESS);
        var work = StandInNodes.node("cp1").clusterWork();
        assertEquals(3, work.size());
        assertTrue(work.get(0).toString(), work.get(0).toString().startsWith("Work[cni=calico, version=v3.29.3, podCidr=192.168.0.0/16"));
        assertTrue(work.get(1).toString(), work.get(1).toString().contains("rollbackOnFailure=true, smokeTarget=service/nginx:80"));
        assertTrue(work.get(2).toString(), work.get(2).toString().contains("runtime=runtimeClass"));
        assertEquals(0, StandInNodes.node("worker1").clusterWork().size());
    }

    @Test
    public void badClusterParametersFailNamingThemBeforeAnythingRuns() throws Exception {
        WorkflowRun b = run("applyCni(cni: 'cilium')", Result.FAILURE);
        j.assertLogContains("cni", b);
        j.assertLogContains("flannel, weave, calico", b);
        b = run("deployWorkload(manifest: 'a.yaml', manifestText: 'kind: ConfigMap')", Result.FAILURE);
        j.assertLogContains("exactly one of manifest and manifestText", b);
        b = run("installGpuPlugin(runtime: 'cuda')", Result.FAILURE);
        j.assertLogContains("runtime", b);
        b = run("installGpuPlugin(minDriverVersion: '535.104.05.1')", Result.FAILURE);
        j.assertLogContains("minDriverVersion: '535.104.05.1' is not a driver version", b);
        assertEquals(0, StandInNodes.node("cp1").clusterWork().size());
    }

    @Test
    public void aVersionTheCatalogDoesNotPinFailsNamingThePinnedOnesBeforeTheAgentIsUsed() throws Exception {
        WorkflowRun b = run("applyCni(version: 'v0.19.0')", Result.FAILURE);
        j.assertLogContains("version: Flannel v0.19.0 is not in the add-on catalog "
                + "(accepted: a pinned Flannel release: v0.27.4 (default), v0.20.2)", b);
        b = run("applyCni(cni: 'flannel', version: 'latest')", Result.FAILURE);
        j.assertLogContains("version: 'latest' is not a release version (accepted: a release version such as v0.20.2", b);
        assertEquals(0, StandInNodes.node("cp1").clusterWork().size());
        run("applyCni(version: '0.20.2')", Result.SUCCESS);
        assertTrue(StandInNodes.node("cp1").clusterWork().get(0).toString().startsWith("Work[cni=null, version=0.20.2,"));
    }

    @Test
    public void withSeveralControlPlaneAgentsTheStepRunsOnTheFirstByName() throws Exception {
        j.waitOnline(j.createSlave("cp2", "k8s-control-plane", null));
        run("applyCni(version: '0.20.2')", Result.SUCCESS);
        assertEquals(1, StandInNodes.node("cp1").clusterWork().size());
    }
}
