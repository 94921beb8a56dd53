package io.jenkins.plugins.kubeadm.steps;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import hudson.model.Result;
import io.jenkins.plugins.kubeadm.StandInNode;
import io.jenkins.plugins.kubeadm.StandInNodes;
import io.jenkins.plugins.kubeadm.agents.ClusterWork;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestExtension;

/**
 * upgradeCluster bound to Jenkins: the control-plane and worker agents run upgrade-node.sh's stages,
 * the control plane's agent answers every question for the API server (the survey, the drains' dry
 * run, each drain and uncordon), and bad input changes nothing.
 */
public class UpgradeClusterStepTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @TestExtension
    public static class Nodes extends StandInNodes {
    }

    @Before
    public void agents() throws Exception {
        StandInNodes.labAgents(j, "worker1", "worker2");
        // The control plane's agent answers as the API server would, from what the stand-ins' kubelets run now.
        StandInNodes.node("cp1").clusterWorkReply = UpgradeClusterStepTest::apiServer;
    }

    static String apiServer(ClusterWork work) {
        if (work instanceof UpgradeClusterStep.SurveyWork) {
            return Stream.of("cp1", "worker1", "worker2").map(n -> {
                String kubelet = StandInNodes.node(n).kubelet.substring(1);
                return n + " " + kubelet + " " + (n.startsWith("cp") ? kubelet : "-") + " -;";
            }).collect(Collectors.joining());
        }
        return work instanceof UpgradeClusterStep.DrainBlockersWork ? "" : "done";
    }

    private WorkflowRun run(String script, Result expected) throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return j.assertBuildStatus(expected, p.scheduleBuild2(0));
    }

    private static List<String> stages(String node) {
        return StandInNodes.node(node).received().stream().filter(r -> r.script().equals("upgrade-node.sh"))
                .map(r -> r.environment().get("UPGRADE_STAGE")).toList();
    }

    private static List<String> work(String node) {
        return StandInNodes.node(node).clusterWork().stream().map(w -> w.getClass().getSimpleName()
                + (w instanceof UpgradeClusterStep.DrainWork d ? " " + d.node() : w instanceof UpgradeClusterStep.UncordonWork u ? " " + u.node() : ""))
                .toList();
    }

    @Test
    public void theControlPlaneThenEachWorkerThroughTheControlPlanesAgent() throws Exception {
        WorkflowRun b = run("upgradeCluster(kubernetesVersion: '1.26.2', ignorePreflightErrors: 'CoreDNSMigration', drainTimeoutSeconds: 90)",
                Result.SUCCESS);
        assertEquals(List.of("plan", "apply", "kubelet"), stages("cp1"));
        assertEquals(List.of("node", "kubelet"), stages("worker1"));
        assertEquals(List.of("node", "kubelet"), stages("worker2"));
        assertEquals(List.of("SurveyWork", "DrainBlockersWork", "DrainWork cp1", "UncordonWork cp1", "DrainWork worker1",
                "UncordonWork worker1", "DrainWork worker2", "UncordonWork worker2"), work("cp1"));
        StandInNode.Received apply = StandInNodes.node("cp1").received().stream()
                .filter(r -> "apply".equals(r.environment().get("UPGRADE_STAGE"))).findFirst().orElseThrow();
        assertEquals("1.26.2", apply.environment().get("KUBERNETES_VERSION"));
        assertEquals("CoreDNSMigration", apply.environment().get("IGNORE_PREFLIGHT_ERRORS"));
        assertEquals(90, ((UpgradeClusterStep.DrainWork) StandInNodes.node("cp1").clusterWork().get(2)).drainTimeoutSeconds());
        j.assertLogContains("upgradeCluster: every node runs 1.26.2", b);

        // Again: every node is at the release; nothing is drained or upgraded.
        StandInNodes.node("cp1").clusterWork().clear();
        b = run("upgradeCluster(kubernetesVersion: '1.26.2')", Result.SUCCESS);
        assertEquals(List.of("SurveyWork"), work("cp1"));
        assertEquals(List.of("plan", "apply", "kubelet"), stages("cp1"));
        j.assertLogContains("upgradeCluster: every node runs 1.26.2 already", b);
    }

    @Test
    public void planOnlyChangesNoNode() throws Exception {
        WorkflowRun b = run("upgradeCluster(kubernetesVersion: '1.27.0', planOnly: true, workerLabel: 'worker1')", Result.SUCCESS);
        assertEquals(List.of("plan"), stages("cp1"));
        assertEquals(List.of(), stages("worker1"));
        assertEquals(List.of(), StandInNodes.node("worker2").scripts());
        assertEquals(List.of("SurveyWork", "DrainBlockersWork"), work("cp1"));
        j.assertLogContains("upgradeCluster: plan only", b);
    }

    @Test
    public void aBadReleaseOrRuleIsRefusedBeforeAnyNodeChanges() throws Exception {
        WorkflowRun b = run("upgradeCluster()", Result.FAILURE);
        j.assertLogContains("kubernetesVersion: is required", b);
        b = run("upgradeCluster(kubernetesVersion: '1.27')", Result.FAILURE);
        j.assertLogContains("kubernetesVersion: '1.27' is not an exact release", b);
        b = run("upgradeCluster(kubernetesVersion: '1.27.1', aptRepository: 'https://pkgs.k8s.io/core:/stable:/v1.26/deb/')", Result.FAILURE);
        j.assertLogContains("aptRepository: is the repository of Kubernetes 1.26", b);
        b = run("upgradeCluster(kubernetesVersion: '1.27.1', maxUnavailable: -1)", Result.FAILURE);
        j.assertLogContains("maxUnavailable: -1 is out of range", b);
        for (String node : List.of("cp1", "worker1", "worker2")) {
            assertEquals(node, List.of(), StandInNodes.node(node).scripts());
        }
        // Asked of the cluster, then refused: a minor skipped.
        b = run("upgradeCluster(kubernetesVersion: '1.28.0')", Result.FAILURE);
        j.assertLogContains("kubernetesVersion: 1.28.0 skips a minor", b);
        for (String node : List.of("cp1", "worker1", "worker2")) {
            assertEquals(node, List.of("node-name.sh"), StandInNodes.node(node).scripts());
        }
        assertEquals(List.of("SurveyWork"), work("cp1"));
        assertTrue(StandInNodes.node("worker1").kubelet.equals("v1.26.1"));
    }
}
