package io.jenkins.plugins.kubeadm.logs;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import hudson.model.Result;
import io.jenkins.plugins.kubeadm.StandInNode;
import io.jenkins.plugins.kubeadm.StandInNodes;
import io.jenkins.plugins.kubeadm.core.cluster.VerifyReport;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.htmlunit.html.HtmlAnchor;
import org.htmlunit.html.HtmlPage;
import org.htmlunit.html.HtmlTable;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestExtension;

/** The cluster page of a build: nodes by steps with outcomes, times and log links, the cluster's facts, no secret. */
public class ClusterPageTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @TestExtension
    public static class Nodes extends StandInNodes {
    }

    @Before
    public void agents() throws Exception {
        StandInNodes.labAgents(j, "worker1", "worker2");
    }

    @Test
    public void theGridShowsEveryNodeAndStepWithTheFailedCellMarkedAndTheFactsTheStepsLearned() throws Exception {
        StandInNodes.node("worker2").failingScript = "install-runtime.sh";
        // What verifyCluster saw: worker2 not Ready, and a Node (old1) that no step of this build ran on.
        StandInNodes.node("cp1").clusterWorkReply = work -> new VerifyReport(List.of(
                new VerifyReport.Check("nodes", "cp1 is Ready", null, Duration.ofMillis(10))), List.of(
                new VerifyReport.NodeState("cp1", "v1.26.1", true), new VerifyReport.NodeState("worker1", "v1.26.1", true),
                new VerifyReport.NodeState("worker2", "v1.26.1", false), new VerifyReport.NodeState("old1", "v1.25.6", true))).encode();
        WorkflowJob p = j.createProject(WorkflowJob.class, "lab");
        p.setDefinition(new CpsFlowDefinition("prepareNode(label: 'k8s-control-plane || k8s-worker')\n"
                + "kubeadmInit(label: 'k8s-control-plane')\n"
                + "joinWorkers(label: 'k8s-worker')\n"
                + "verifyCluster()\n"
                + "installRuntime(label: 'k8s-worker')\n", true));
        WorkflowRun b = j.assertBuildStatus(Result.FAILURE, p.scheduleBuild2(0));
        String token = StandInNodes.node("cp1").received().stream().filter(r -> r.script().equals("kubeadm-init.sh")).findFirst()
                .orElseThrow().privateFiles().get("JOIN_TOKEN_FILE");

        ClusterPage page = b.getAction(ClusterPage.class);
        assertNotNull("the build that ran the steps has the page", page);
        JenkinsRule.WebClient web = j.createWebClient();
        HtmlPage html = web.getPage(b, ClusterPage.URL_NAME + "/");
        HtmlTable grid = (HtmlTable) html.getElementById("kubeadm-steps");
        assertEquals(List.of("Node", "Role", "Address", "Kubelet", "Status", "prepare-node", "kubeadm-init", "kubeadm-join", "delete-join-token", "install-runtime"),
                grid.getRow(0).getCells().stream().map(c -> c.asNormalizedText()).toList());
        assertEquals(5, grid.getRowCount());
        assertEquals("control-plane", grid.getRow(1).getCell(1).asNormalizedText());
        assertEquals(List.of("cp1", "v1.26.1", "Ready"), List.of(grid.getRow(1).getCell(0).asNormalizedText(),
                grid.getRow(1).getCell(3).asNormalizedText(), grid.getRow(1).getCell(4).asNormalizedText()));
        // A Node no step ran on: its state only, no step cells.
        assertEquals("old1\t\t\tv1.25.6\tReady", grid.getRow(2).asNormalizedText().trim());
        assertThat(grid.getRow(3).asNormalizedText(), not(containsString("FAILED")));
        String worker2 = grid.getRow(4).asNormalizedText();
        assertThat(worker2, containsString("worker2"));
        assertThat(worker2, containsString("worker"));
        assertThat(worker2, containsString("FAILED"));
        assertTrue(grid.getRow(4).getCell(9).getAttribute("class").contains("kubeadm-failed"));
        assertEquals("NotReady", grid.getRow(4).getCell(4).asNormalizedText());
        assertTrue(grid.getRow(4).getCell(4).getAttribute("class").contains("kubeadm-failed"));

        // Every cell links to its archived log, and the link opens it.
        List<HtmlAnchor> links = grid.getByXPath(".//a");
        assertEquals(3 + 1 + 2 + 1 + 2, links.size());
        for (HtmlAnchor link : links) {
            assertEquals(200, web.getPage(html.getFullyQualifiedUrl(link.getHrefAttribute())).getWebResponse().getStatusCode());
        }
        String facts = html.getElementById("kubeadm-facts").asNormalizedText();
        assertThat(facts, containsString("API server\t" + StandInNode.ENDPOINT));
        assertThat(facts, containsString("Pod network\t10.244.0.0/16"));

        // The build page shows the summary with the failure count.
        String buildPage = web.getPage(b).asNormalizedText();
        assertThat(buildPage, containsString("Kubernetes cluster: 4 node(s)"));
        assertThat(buildPage, containsString("1 failed"));

        // No secret on the page or in what it reads.
        assertThat(html.getWebResponse().getContentAsString(), not(containsString(token)));
        assertThat(html.getWebResponse().getContentAsString(), not(containsString(token.substring(7))));
        for (String file : List.of("steps.tsv", "cluster.tsv")) {
            String text = Files.readString(b.getRootDir().toPath().resolve("kubeadm-pipeline").resolve(file));
            assertThat(file, text, not(containsString(token.substring(7))));
        }
    }

    @Test
    public void aBuildWithoutStepsHasNoPage() throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class, "other");
        p.setDefinition(new CpsFlowDefinition("echo 'no cluster here'", true));
        WorkflowRun b = j.buildAndAssertSuccess(p);
        assertNull(b.getAction(ClusterPage.class));
        j.createWebClient().assertFails(b.getUrl() + ClusterPage.URL_NAME + "/", 404);
    }
}
