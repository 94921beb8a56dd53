package io.jenkins.plugins.kubeadm.security;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import hudson.model.Computer;
import hudson.model.Item;
import hudson.model.Node;
import hudson.model.Queue;
import hudson.model.Result;
import hudson.model.User;
import hudson.security.ACL;
import io.jenkins.plugins.kubeadm.StandInNode;
import io.jenkins.plugins.kubeadm.StandInNodes;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jenkins.model.Jenkins;
import jenkins.security.QueueItemAuthenticatorConfiguration;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;
import org.jvnet.hudson.test.MockQueueItemAuthenticator;
import org.jvnet.hudson.test.TestExtension;

/**
 * What a step may reach, decided with the build's authentication before any node changes: Agent/Build
 * on every agent, the built-in node and the controller as a network client only with an administrator's
 * setting, and one step at a time on a node.
 */
public class BuildAccessTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @TestExtension
    public static class Nodes extends StandInNodes {
    }

    /** Mock grants for the whole instance, except Agent/Build on the agents named here (Jenkins core has no per-agent grants). */
    public static final class AgentDenyingStrategy extends MockAuthorizationStrategy {
        private final Set<String> deniedAgents;

        AgentDenyingStrategy(String... deniedAgents) {
            this.deniedAgents = Set.of(deniedAgents);
        }

        @Override
        public ACL getACL(Node node) {
            ACL root = getRootACL();
            if (!deniedAgents.contains(node.getNodeName())) {
                return root;
            }
            return ACL.lambda2((authentication, permission) -> permission != Computer.BUILD && root.hasPermission2(authentication, permission));
        }
    }

    @Before
    public void agents() throws Exception {
        StandInNodes.labAgents(j, "worker1", "worker2");
    }

    /** Builds of job {@code job} run as the user dev, who may do everything but build on {@code deniedAgents}. */
    private void buildsOf(String job, String... deniedAgents) {
        j.jenkins.setSecurityRealm(j.createDummySecurityRealm());
        AgentDenyingStrategy strategy = new AgentDenyingStrategy(deniedAgents);
        strategy.grant(Jenkins.READ, Item.READ, Item.BUILD, Item.CONFIGURE, Computer.BUILD).everywhere().to("dev");
        j.jenkins.setAuthorizationStrategy(strategy);
        QueueItemAuthenticatorConfiguration.get().getAuthenticators()
                .add(new MockQueueItemAuthenticator().authenticate(job, User.getById("dev", true).impersonate2()));
    }

    private WorkflowRun run(String job, String script, Result expected) throws Exception {
        WorkflowJob p = j.jenkins.getItemByFullName(job, WorkflowJob.class);
        if (p == null) {
            p = j.createProject(WorkflowJob.class, job);
        }
        p.setDefinition(new CpsFlowDefinition(script, true));
        return j.assertBuildStatus(expected, p.scheduleBuild2(0));
    }

    @Test
    public void withoutAgentBuildOnOneAgentOfTheLabelNothingRunsOnAnyOfThem() throws Exception {
        buildsOf("p", "worker2");
        WorkflowRun b = run("p", "prepareNode(label: 'k8s-worker')", Result.FAILURE);
        j.assertLogContains("prepareNode: dev may not build on worker2 (Agent/Build permission); nothing was changed on any node", b);
        assertThat(StandInNodes.node("worker1").scripts(), empty());
        assertThat(StandInNodes.node("worker2").scripts(), empty());
        // The same user may use the agents it is allowed on.
        run("p", "prepareNode(label: 'k8s-control-plane')", Result.SUCCESS);
        assertEquals(List.of("prepare-node.sh"), StandInNodes.node("cp1").scripts());
    }

    @Test
    public void insideANodeBlockTheAgentsTheStepFansOutToAreCheckedToo() throws Exception {
        buildsOf("p", "worker2");
        WorkflowRun b = run("p", "node('worker1') { resetNode(label: 'k8s-worker') }", Result.FAILURE);
        j.assertLogContains("dev may not build on worker2", b);
        assertThat(StandInNodes.node("worker1").scripts(), empty());
        assertThat(StandInNodes.node("worker2").scripts(), empty());
    }

    @Test
    public void removeNodeAndRenewCertificatesCheckEveryAgentTheyTouchBeforeAnyRuns() throws Exception {
        buildsOf("p", "cp1");
        // removeNode reaches the cluster through the control plane's agent: refused there, no node is asked anything.
        WorkflowRun b = run("p", "removeNode(label: 'worker2')", Result.FAILURE);
        j.assertLogContains("dev may not build on cp1", b);
        assertThat(StandInNodes.node("worker2").scripts(), empty());
        assertThat(StandInNodes.node("cp1").clusterWork(), empty());
        b = run("p", "renewCertificates(label: 'k8s-control-plane', renew: true)", Result.FAILURE);
        j.assertLogContains("dev may not build on cp1", b);
        assertThat(StandInNodes.node("cp1").scripts(), empty());

        buildsOf("q", "worker2");
        b = run("q", "removeNode(label: 'k8s-worker')", Result.FAILURE);
        j.assertLogContains("dev may not build on worker2", b);
        assertThat(StandInNodes.node("worker1").scripts(), empty());
        assertThat(StandInNodes.node("worker2").scripts(), empty());
        assertThat(StandInNodes.node("cp1").clusterWork(), empty());
    }

    @Test
    public void upgradeClusterChecksEveryAgentItTouchesBeforeAnyRuns() throws Exception {
        buildsOf("p", "worker2");
        WorkflowRun b = run("p", "upgradeCluster(kubernetesVersion: '1.26.2')", Result.FAILURE);
        j.assertLogContains("dev may not build on worker2", b);
        for (String node : List.of("cp1", "worker1", "worker2")) {
            assertThat(node, StandInNodes.node(node).scripts(), empty());
        }
        assertThat(StandInNodes.node("cp1").clusterWork(), empty());
    }

    @Test
    public void aNodeBlockOnAnAgentTheBuildMayNotUseRunsNothingThere() throws Exception {
        buildsOf("p", "worker2");
        WorkflowJob p = j.createProject(WorkflowJob.class, "p");
        p.setDefinition(new CpsFlowDefinition("node('worker2') { resetNode() }", true));
        WorkflowRun b = p.scheduleBuild2(0).waitForStart();
        // Jenkins' Queue keeps the node block off worker2 (it lacks permission), or the step refuses it: either way, nothing runs.
        long end = System.currentTimeMillis() + 60_000;
        String blockage = null;
        while (b.isBuilding() && blockage == null && System.currentTimeMillis() < end) {
            for (Queue.Item item : j.jenkins.getQueue().getItems()) {
                if (item.getCauseOfBlockage() != null && item.getCauseOfBlockage().getShortDescription().contains("lacks permission")) {
                    blockage = item.getCauseOfBlockage().getShortDescription();
                }
            }
            Thread.sleep(200);
        }
        if (b.isBuilding()) {
            assertTrue("the node block neither ran nor was blocked: " + blockage, blockage != null && blockage.contains("worker2"));
            b.doStop();
            j.waitForCompletion(b);
        } else {
            j.assertLogContains("dev may not build on worker2", b);
        }
        assertThat(StandInNodes.node("worker2").scripts(), empty());
    }

    @Test
    public void theBuiltInNodeIsRefusedUnlessAnAdministratorAllowsIt() throws Exception {
        j.jenkins.setNumExecutors(1);
        WorkflowRun b = run("p", "node('built-in') { prepareNode(role: 'worker') }", Result.FAILURE);
        j.assertLogContains("prepareNode: changing the built-in node (the controller's own machine) is not allowed on this Jenkins:"
                + " an administrator turns it on in Manage Jenkins > System > kubeadm-pipeline ('Allow node steps on the built-in node')", b);
        assertThat(StandInNodes.node("built-in").scripts(), empty());
        KubeadmPipelineSettings.get().setBuiltInNodeAllowed(true);
        run("p", "node('built-in') { prepareNode(role: 'worker') }", Result.SUCCESS);
        assertEquals(List.of("prepare-node.sh"), StandInNodes.node("built-in").scripts());
    }

    @Test
    public void theControllerIsNoSshClientAndAcceptAnyHostKeyIsRefusedWithoutTheirSettings() throws Exception {
        String inventory = "inventory: 'cp1 control-plane root@192.168.56.10', sshCredentialsId: 'lab-key'";
        WorkflowRun b = run("p", "resetNode(" + inventory + ", knownHostsCredentialsId: 'lab-hosts')", Result.FAILURE);
        j.assertLogContains("inventory: the controller as SSH client is not allowed on this Jenkins: an administrator turns it on in"
                + " Manage Jenkins > System > kubeadm-pipeline ('Allow the controller to reach inventory nodes over SSH');"
                + " run resetNode inside node('an agent') { }", b);
        b = run("p", "node('worker1') { resetNode(" + inventory + ", acceptAnyHostKey: true) }", Result.FAILURE);
        j.assertLogContains("acceptAnyHostKey: skipping the nodes' host key check is not allowed on this Jenkins", b);
        j.assertLogContains("('Allow acceptAnyHostKey')", b);
        assertNull("no SSH target was even made", StandInNodes.target("cp1"));
        assertThat(StandInNodes.node("cp1").scripts(), empty());
    }

    @Test
    public void clusterStepsTalkToAClusterFromTheControllerOnlyWithTheSetting() throws Exception {
        WorkflowRun b = run("p", "applyCni(kubeconfigCredentialsId: 'admin-kubeconfig')", Result.FAILURE);
        j.assertLogContains("kubeconfigCredentialsId: a cluster step talking to the cluster from the controller is not allowed on this"
                + " Jenkins: an administrator turns it on in Manage Jenkins > System > kubeadm-pipeline ('Allow cluster steps to work"
                + " from the controller'); without kubeconfigCredentialsId the step runs on the control-plane agent", b);
        // The credential was not even looked up: it does not exist, and the refusal came first.
        j.assertLogNotContains("no credential 'admin-kubeconfig'", b);
        // installGpuPlugin changes its GPU nodes before the cluster work: it is refused before that too.
        b = run("p", "installGpuPlugin(label: 'k8s-worker', kubeconfigCredentialsId: 'admin-kubeconfig')", Result.FAILURE);
        j.assertLogContains("('Allow cluster steps to work from the controller')", b);
        assertThat(StandInNodes.node("worker1").scripts(), empty());
        buildsOf("p", "cp1");
        b = run("p", "installGpuPlugin(label: 'k8s-worker')", Result.FAILURE);
        j.assertLogContains("installGpuPlugin: dev may not build on cp1 (Agent/Build permission)", b);
        assertThat(StandInNodes.node("worker1").scripts(), empty());
        assertThat(StandInNodes.node("cp1").clusterWork(), empty());
    }

    @Test
    public void aSecondBuildWaitsForTheNodeTheFirstIsChangingAndSaysWhichBuildHoldsIt() throws Exception {
        StandInNode worker1 = StandInNodes.node("worker1");
        worker1.entered = new CountDownLatch(1);
        worker1.release = new CountDownLatch(1);
        WorkflowJob resetting = j.createProject(WorkflowJob.class, "resetting");
        resetting.setDefinition(new CpsFlowDefinition("resetNode(label: 'k8s-worker')", true));
        WorkflowRun first = resetting.scheduleBuild2(0).waitForStart();
        assertTrue("the first build reached worker1", worker1.entered.await(60, TimeUnit.SECONDS));

        WorkflowJob preparing = j.createProject(WorkflowJob.class, "preparing");
        preparing.setDefinition(new CpsFlowDefinition("prepareNode(label: 'k8s-worker || k8s-control-plane')", true));
        WorkflowRun second = preparing.scheduleBuild2(0).waitForStart();
        j.waitForMessage("prepareNode: waiting for worker1 is being changed by resetting #1 (resetNode), worker2 is being changed"
                + " by resetting #1 (resetNode)", second);
        assertEquals("the second build changed nothing while it waited", List.of("reset-node.sh"), worker1.scripts());
        assertThat(StandInNodes.node("cp1").scripts(), empty());

        worker1.entered = null;
        worker1.release.countDown();
        j.assertBuildStatusSuccess(j.waitForCompletion(first));
        j.assertBuildStatusSuccess(j.waitForCompletion(second));
        assertEquals(List.of("reset-node.sh", "prepare-node.sh"), worker1.scripts());
        assertEquals(List.of("prepare-node.sh"), StandInNodes.node("cp1").scripts());
    }
}
