package io.jenkins.plugins.kubeadm.steps;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.Assert.assertEquals;

import hudson.model.Result;
import hudson.model.Run;
import io.jenkins.plugins.kubeadm.StandInNode;
import io.jenkins.plugins.kubeadm.StandInNodes;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestExtension;

/** prepareNode, installRuntime and resetNode bound to agents: fan-out by label, roles, validation, failures, logs. */
public class NodeStepsTest {

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
    public void prepareNodeFansOutOverTheLabelWithRolesFromTheAgentsLabels() throws Exception {
        WorkflowRun b = run("prepareNode(label: 'k8s-control-plane || k8s-worker', preflightIgnore: 'NumCPU')", Result.SUCCESS);
        assertEquals("control-plane", StandInNodes.node("cp1").received().get(0).environment().get("NODE_ROLE"));
        assertEquals("worker", StandInNodes.node("worker2").received().get(0).environment().get("NODE_ROLE"));
        assertEquals("NumCPU", StandInNodes.node("worker1").received().get(0).environment().get("PREFLIGHT_IGNORE"));
        j.assertLogContains("prepareNode: cp1 ready as control-plane", b);
        assertThat(artifacts(b), containsInAnyOrder("kubeadm-logs/cp1/01-prepare-node.log",
                "kubeadm-logs/worker1/01-prepare-node.log", "kubeadm-logs/worker2/01-prepare-node.log"));
    }

    @Test
    public void insideANodeBlockTheStepRunsOnThatAgentOnlyAndLogsNumberOn() throws Exception {
        WorkflowRun b = run("node('worker1') { prepareNode(role: 'worker', hostname: 'nuc02'); installRuntime(kubernetesVersion: '1.34') }",
                Result.SUCCESS);
        assertEquals(List.of("prepare-node.sh", "install-runtime.sh"), StandInNodes.node("worker1").scripts());
        assertEquals("nuc02", StandInNodes.node("worker1").received().get(0).environment().get("NODE_HOSTNAME"));
        assertEquals("1.34", StandInNodes.node("worker1").received().get(1).environment().get("KUBERNETES_VERSION"));
        assertThat(StandInNodes.node("worker2").scripts(), empty());
        assertThat(artifacts(b), containsInAnyOrder("kubeadm-logs/worker1/01-prepare-node.log",
                "kubeadm-logs/worker1/02-install-runtime.log"));
    }

    @Test
    public void parallelBranchesOnTheSameNodesTakeTurnsAndNumberTheirLogsApart() throws Exception {
        WorkflowRun b = run("parallel prepare: { prepareNode(label: 'k8s-worker') },"
                + " runtime: { installRuntime(label: 'k8s-worker') }, reset: { resetNode(label: 'k8s-control-plane') }", Result.SUCCESS);
        for (String worker : List.of("worker1", "worker2")) {
            List<String> logs = artifacts(b).stream().filter(a -> a.startsWith("kubeadm-logs/" + worker + "/")).sorted().toList();
            assertEquals(logs.toString(), 2, logs.size());
            assertEquals(List.of("01", "02"), logs.stream().map(a -> a.substring(a.lastIndexOf('/') + 1, a.lastIndexOf('/') + 3)).toList());
            assertThat(StandInNodes.node(worker).scripts(), containsInAnyOrder("prepare-node.sh", "install-runtime.sh"));
        }
        assertThat(artifacts(b), hasItem("kubeadm-logs/cp1/01-reset-node.log"));
    }

    @Test
    public void aBadParameterFailsNamingItBeforeAnyNodeIsTouched() throws Exception {
        WorkflowRun b = run("installRuntime(label: 'k8s-worker', kubernetesVersion: '1.2.3.4')", Result.FAILURE);
        j.assertLogContains("kubernetesVersion", b);
        b = run("prepareNode(label: 'k8s-worker', role: 'master')", Result.FAILURE);
        j.assertLogContains("role", b);
        j.assertLogContains("control-plane | worker", b);
        b = run("kubeadmInit(label: 'k8s-control-plane', podNetworkCidr: '10.96.0.0/16')", Result.FAILURE);
        j.assertLogContains("serviceCidr", b);
        for (String node : List.of("cp1", "worker1", "worker2")) {
            assertThat(node + " was touched", StandInNodes.node(node).scripts(), empty());
        }
    }

    @Test
    public void aFailingNodeIsNamedWithItsReasonAndItsLogIsArchivedWithDiagnostics() throws Exception {
        StandInNodes.node("worker2").failingScript = "install-runtime.sh";
        WorkflowRun b = run("installRuntime(label: 'k8s-worker')", Result.FAILURE);
        j.assertLogContains("worker2", b);
        j.assertLogContains("stand-in refuses install-runtime.sh", b);
        assertThat(artifacts(b), hasItem("kubeadm-logs/worker2/01-install-runtime.log"));
        String failedLog = artifact(b, "kubeadm-logs/worker2/01-install-runtime.log");
        assertThat(failedLog, containsString("diagnostic detail of worker2"));
        assertThat(artifact(b, "kubeadm-logs/worker1/01-install-runtime.log"), containsString("succeeded"));
    }

    @Test
    public void nodesThatShareAMachineIdAreRefusedNamingBoth() throws Exception {
        StandInNodes.node("worker2").machineId = StandInNodes.node("worker1").machineId;
        WorkflowRun b = run("prepareNode(label: 'k8s-worker')", Result.FAILURE);
        j.assertLogContains("worker1", b);
        j.assertLogContains("worker2", b);
        j.assertLogContains("machine", b);
    }

    @Test
    public void aLabelWithoutAgentsAndAStepOutsideANodeBlockSayWhatToDo() throws Exception {
        WorkflowRun b = run("resetNode(label: 'k8s-gpu')", Result.FAILURE);
        j.assertLogContains("no agent has the label 'k8s-gpu'", b);
        b = run("resetNode()", Result.FAILURE);
        j.assertLogContains("node('...')", b);
    }

    @Test
    public void declarativeStagesUseTheSteps() throws Exception {
        WorkflowRun b = run(String.join("\n",
                "pipeline {",
                "  agent none",
                "  stages {",
                "    stage('Reset') { steps { resetNode(label: 'k8s-control-plane || k8s-worker') } }",
                "    stage('Prepare') { steps { prepareNode(label: 'k8s-control-plane || k8s-worker') } }",
                "    stage('Runtime') {",
                "      agent { label 'k8s-control-plane' }",
                "      steps { installRuntime() }",
                "    }",
                "  }",
                "}"), Result.SUCCESS);
        assertEquals(List.of("reset-node.sh", "prepare-node.sh", "install-runtime.sh"), StandInNodes.node("cp1").scripts());
        assertEquals(List.of("reset-node.sh", "prepare-node.sh"), StandInNodes.node("worker1").scripts());
        j.assertLogContains("Finished: SUCCESS", b);
    }

    static List<String> artifacts(Run<?, ?> b) {
        return b.getArtifacts().stream().map(a -> a.relativePath).toList();
    }

    static String artifact(Run<?, ?> b, String path) throws Exception {
        try (InputStream in = b.getArtifactManager().root().child(path).open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
