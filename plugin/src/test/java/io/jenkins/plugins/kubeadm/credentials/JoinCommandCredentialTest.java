package io.jenkins.plugins.kubeadm.credentials;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.cloudbees.hudson.plugins.folder.Folder;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.CredentialsStore;
import com.cloudbees.plugins.credentials.domains.Domain;
import hudson.model.Computer;
import hudson.model.Item;
import hudson.model.Result;
import hudson.model.User;
import hudson.security.ACL;
import hudson.util.Secret;
import io.jenkins.plugins.kubeadm.StandInNodes;
import io.jenkins.plugins.kubeadm.security.KubeadmPipelineSettings;
import io.jenkins.plugins.kubeadm.steps.JoinCommandFlowTest;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.Jenkins;
import jenkins.security.QueueItemAuthenticatorConfiguration;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;
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
 * Where kubeadmInit keeps the join command, for whom: the folder's store with the build's Credentials
 * permissions, never over a credential it did not write, one id per job, and inside the build for a job
 * outside any folder.
 */
public class JoinCommandCredentialTest {

    private static final String CLUSTER = "kubeadmInit(label: 'k8s-control-plane')\njoinWorkers(label: 'k8s-worker')\n";

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @TestExtension
    public static class Nodes extends StandInNodes {
    }

    @Before
    public void agents() throws Exception {
        StandInNodes.labAgents(j, "worker1");
    }

    private static WorkflowRun build(WorkflowJob job, String script) throws Exception {
        job.setDefinition(new CpsFlowDefinition(script, true));
        return job.scheduleBuild2(0).get();
    }

    /** Builds of team/lab run as dev, who may build and configure, and has the Credentials permissions given. */
    private void devBuilds(String job, hudson.security.Permission... credentialPermissions) {
        j.jenkins.setSecurityRealm(j.createDummySecurityRealm());
        MockAuthorizationStrategy strategy = new MockAuthorizationStrategy();
        strategy.grant(Jenkins.READ, Item.READ, Item.BUILD, Item.CONFIGURE, Computer.BUILD, CredentialsProvider.VIEW).everywhere().to("dev");
        if (credentialPermissions.length > 0) {
            strategy.grant(credentialPermissions).onFolders(j.jenkins.getItemByFullName("team", Folder.class)).to("dev");
        }
        j.jenkins.setAuthorizationStrategy(strategy);
        QueueItemAuthenticatorConfiguration.get().getAuthenticators().clear();
        QueueItemAuthenticatorConfiguration.get().getAuthenticators()
                .add(new MockQueueItemAuthenticator().authenticate(job, User.getById("dev", true).impersonate2()));
    }

    private static CredentialsStore storeOf(Object context) {
        for (CredentialsStore s : CredentialsProvider.lookupStores((hudson.model.ModelObject) context)) {
            if (s.getContext() == context) {
                return s;
            }
        }
        throw new AssertionError("no store of its own: " + context);
    }

    @Test
    public void withoutCredentialsCreateKubeadmInitFailsBeforeAnyNodeChanges() throws Exception {
        Folder team = j.jenkins.createProject(Folder.class, "team");
        WorkflowJob lab = team.createProject(WorkflowJob.class, "lab");
        devBuilds("team/lab");
        WorkflowRun b = j.assertBuildStatus(Result.FAILURE, build(lab, CLUSTER));
        j.assertLogContains("joinCredentialsId: dev may not create credentials in the store of team (Credentials/Create), where"
                + " kubeadmInit keeps the join command; nothing was changed", b);
        assertThat(StandInNodes.node("cp1").scripts(), empty());
        assertThat(StandInNodes.node("worker1").scripts(), empty());

        devBuilds("team/lab", CredentialsProvider.CREATE);
        j.assertBuildStatusSuccess(build(lab, CLUSTER));
        assertTrue(storeOf(team).getCredentials(Domain.global()).get(0) instanceof JoinCommandSecret);
        // Replacing its own join command needs Credentials/Update.
        int ranBefore = StandInNodes.node("cp1").scripts().size();
        b = j.assertBuildStatus(Result.FAILURE, build(lab, CLUSTER));
        j.assertLogContains("dev may not update credentials in the store of team (Credentials/Update)", b);
        assertEquals(ranBefore, StandInNodes.node("cp1").scripts().size());
        devBuilds("team/lab", CredentialsProvider.CREATE, CredentialsProvider.UPDATE);
        j.assertBuildStatusSuccess(build(lab, CLUSTER));
    }

    @Test
    public void aCredentialKubeadmInitDidNotWriteIsNeverOverwritten() throws Exception {
        Folder team = j.jenkins.createProject(Folder.class, "team");
        storeOf(team).addCredentials(Domain.global(),
                new StringCredentialsImpl(CredentialsScope.GLOBAL, "deploy-token", "another team secret", Secret.fromString("s3cret-value")));
        WorkflowJob lab = team.createProject(WorkflowJob.class, "lab");
        WorkflowRun b = j.assertBuildStatus(Result.FAILURE, build(lab, "kubeadmInit(label: 'k8s-control-plane', joinCredentialsId: 'deploy-token')"));
        j.assertLogContains("joinCredentialsId: kubeadmInit cannot keep the join command under 'deploy-token': it writes only ids that"
                + " are free or hold a join command it wrote", b);
        assertThat(StandInNodes.node("cp1").scripts(), empty());
        StringCredentials kept = (StringCredentials) storeOf(team).getCredentials(Domain.global()).get(0);
        assertEquals("s3cret-value", kept.getSecret().getPlainText());
        assertEquals("another team secret", kept.getDescription());
    }

    @Test
    public void aJobOutsideAnyFolderKeepsTheJoinCommandInsideTheBuild() throws Exception {
        WorkflowJob a = j.createProject(WorkflowJob.class, "a");
        WorkflowRun b = j.assertBuildStatusSuccess(build(a, CLUSTER));
        String token = StandInNodes.node("cp1").received().get(0).privateFiles().get("JOIN_TOKEN_FILE");
        j.assertLogContains("the worker join command is kept inside this build as '" + JoinCommandCredential.defaultId(a) + "'", b);
        j.assertLogContains("worker1 joined", b);
        assertEquals("nothing in the global store", List.of(), storeOf(j.jenkins).getCredentials(Domain.global()));
        assertTrue("kept in the build, encrypted", b.getAction(BuildJoinCommands.class).get(JoinCommandCredential.defaultId(a))
                .getPlainText().contains(token));
        assertEquals(List.of(), JoinCommandFlowTest.filesContaining(j.jenkins.getRootDir().toPath(), token.substring(7)));

        // Another job sees nothing of it.
        WorkflowJob other = j.createProject(WorkflowJob.class, "other");
        WorkflowRun o = j.assertBuildStatus(Result.FAILURE, build(other, "joinWorkers(label: 'k8s-worker')"));
        j.assertLogContains("joinCredentialsId: no join command '" + JoinCommandCredential.defaultId(other) + "' is kept in this build"
                + " or visible to this job", o);
    }

    @Test
    public void withTheGlobalSettingTwoTopLevelJobsKeepSeparateJoinCredentials() throws Exception {
        KubeadmPipelineSettings.get().setGlobalJoinCredentialsAllowed(true);
        WorkflowJob a = j.createProject(WorkflowJob.class, "a");
        WorkflowJob b = j.createProject(WorkflowJob.class, "b");
        j.assertBuildStatusSuccess(build(a, "kubeadmInit(label: 'k8s-control-plane')"));
        j.assertBuildStatusSuccess(build(b, "kubeadmInit(label: 'k8s-control-plane')"));
        List<String> ids = new ArrayList<>();
        for (StringCredentials c : CredentialsProvider.lookupCredentialsInItemGroup(StringCredentials.class, j.jenkins, ACL.SYSTEM2)) {
            ids.add(c.getId());
        }
        assertEquals(List.of(JoinCommandCredential.defaultId(a), JoinCommandCredential.defaultId(b)), ids);
        assertNotEquals(JoinCommandCredential.defaultId(a), JoinCommandCredential.defaultId(b));
        // b's workers join b's cluster: the token of b's kubeadmInit, not a's.
        String tokenOfB = StandInNodes.node("cp1").received().get(1).privateFiles().get("JOIN_TOKEN_FILE");
        j.assertBuildStatusSuccess(build(b, "joinWorkers(label: 'k8s-worker')"));
        assertTrue(StandInNodes.node("worker1").received().get(0).privateFiles().get("JOIN_COMMAND_FILE").contains(tokenOfB));
    }

    @Test
    public void defaultIdsAreOnePerJobAndACredentialIdsForm() throws Exception {
        Folder team = j.jenkins.createProject(Folder.class, "Team A");
        WorkflowJob one = team.createProject(WorkflowJob.class, "lab");
        WorkflowJob two = j.jenkins.createProject(Folder.class, "Team-A").createProject(WorkflowJob.class, "lab");
        String first = JoinCommandCredential.defaultId(one);
        String second = JoinCommandCredential.defaultId(two);
        assertTrue(first, first.matches("kubeadm-join-team-a-lab-[0-9a-f]{8}"));
        assertTrue(second, second.matches("kubeadm-join-team-a-lab-[0-9a-f]{8}"));
        assertNotEquals("names that read alike still get their own id", first, second);
    }
}
