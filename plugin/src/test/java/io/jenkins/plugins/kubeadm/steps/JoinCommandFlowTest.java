package io.jenkins.plugins.kubeadm.steps;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.cloudbees.hudson.plugins.folder.Folder;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import hudson.model.Result;
import hudson.security.ACL;
import io.jenkins.plugins.kubeadm.StandInNode;
import io.jenkins.plugins.kubeadm.StandInNodes;
import io.jenkins.plugins.kubeadm.credentials.JoinCommandCredential;
import io.jenkins.plugins.kubeadm.credentials.JoinCommandSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestExtension;

/** kubeadmInit stores the join command as a credential of the job's folder; joinWorkers uses it; nothing leaks. */
public class JoinCommandFlowTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @TestExtension
    public static class Nodes extends StandInNodes {
    }

    @Before
    public void agents() throws Exception {
        StandInNodes.labAgents(j, "worker1", "worker2");
    }

    private static final String CLUSTER = "kubeadmInit(label: 'k8s-control-plane', joinTokenTtl: '45m')\n"
            + "joinWorkers(label: 'k8s-worker')\n";

    @Test
    public void theJoinCommandTravelsOnlyAsACredentialAndNeverReachesConsoleLogsOrJenkinsHome() throws Exception {
        folder = j.jenkins.createProject(Folder.class, "team");
        WorkflowJob p = folder.createProject(WorkflowJob.class, "lab");
        p.setDefinition(new CpsFlowDefinition(CLUSTER, true));
        WorkflowRun first = j.buildAndAssertSuccess(p);
        String id = JoinCommandCredential.defaultId(p);
        assertTrue(id, id.matches("kubeadm-join-team-lab-[0-9a-f]{8}"));

        String token = StandInNodes.node("cp1").received().get(0).privateFiles().get("JOIN_TOKEN_FILE");
        assertEquals("45m", StandInNodes.node("cp1").received().get(0).environment().get("JOIN_TOKEN_TTL"));
        StringCredentials stored = joinCredential(id);
        assertTrue("kubeadmInit writes its own kind of credential", stored instanceof JoinCommandSecret);
        String command = stored.getSecret().getPlainText();
        assertTrue(command, command.contains("--token " + token));
        for (String worker : List.of("worker1", "worker2")) {
            StandInNode.Received join = StandInNodes.node(worker).received().get(0);
            assertEquals("kubeadm-join.sh", join.script());
            assertEquals(command.trim(), join.privateFiles().get("JOIN_COMMAND_FILE"));
        }
        j.assertLogContains("credential '" + id + "' of team (created)", first);
        j.assertLogContains("worker2 joined " + StandInNode.ENDPOINT, first);
        // Once every worker joined, the token is deleted on the control plane: only its public id travels.
        StandInNode.Received delete = StandInNodes.node("cp1").received().get(1);
        assertEquals("delete-join-token.sh", delete.script());
        assertEquals(token.substring(0, 6), delete.environment().get("JOIN_TOKEN_ID"));
        j.assertLogContains("join token " + token.substring(0, 6) + " deleted on cp1", first);
        j.assertLogNotContains(token, first);
        j.assertLogNotContains(token.substring(7), first);
        assertThat(NodeStepsTest.artifacts(first), hasItems("kubeadm-logs/cp1/01-kubeadm-init.log",
                "kubeadm-logs/worker1/01-kubeadm-join.log", "kubeadm-logs/worker2/01-kubeadm-join.log"));

        // A second build makes a fresh token and updates the same credential.
        WorkflowRun second = j.buildAndAssertSuccess(p);
        j.assertLogContains("credential '" + id + "' of team (updated)", second);
        String secondToken = StandInNodes.node("cp1").received().get(2).privateFiles().get("JOIN_TOKEN_FILE");
        assertNotEquals(token, secondToken);
        assertTrue(joinCredential(id).getSecret().getPlainText().contains(secondToken));
        assertEquals(1, CredentialsProvider.lookupCredentialsInItemGroup(StringCredentials.class, folder, ACL.SYSTEM2).size());
        assertEquals("nothing in the global store", 0,
                CredentialsProvider.lookupCredentialsInItemGroup(StringCredentials.class, j.jenkins, ACL.SYSTEM2).size());

        for (String secret : List.of(token, token.substring(7), secondToken, secondToken.substring(7))) {
            assertEquals(List.of(), filesContaining(j.jenkins.getRootDir().toPath(), secret));
        }
    }

    @Test
    public void withThreeControlPlanesTheCertificateKeyReachesTheJoiningOnesOnlyAndNoConsoleLogOrJenkinsHome() throws Exception {
        j.waitOnline(j.createSlave("cp2", "k8s-control-plane", null));
        j.waitOnline(j.createSlave("cp3", "k8s-control-plane", null));
        WorkflowJob p = j.createProject(WorkflowJob.class, "ha");
        p.setDefinition(new CpsFlowDefinition("kubeadmInit(label: 'k8s-control-plane', apiServerLoadBalancer: 'haproxy')\n"
                + "joinWorkers(label: 'k8s-worker')\n", true));
        WorkflowRun b = j.buildAndAssertSuccess(p);

        StandInNode.Received init = StandInNodes.node("cp1").received().stream().filter(r -> r.script().equals("kubeadm-init.sh"))
                .findFirst().orElseThrow();
        String key = init.privateFiles().get("CERTIFICATE_KEY_FILE");
        assertTrue(String.valueOf(key), key != null && key.matches("[0-9a-f]{64}"));
        assertEquals("127.0.0.1:8443", init.environment().get("CONTROL_PLANE_ENDPOINT"));
        for (String cp : List.of("cp2", "cp3")) {
            StandInNode.Received join = StandInNodes.node(cp).received().stream().filter(r -> r.script().equals("kubeadm-join.sh"))
                    .findFirst().orElseThrow();
            assertTrue(cp, join.privateFiles().get("JOIN_COMMAND_FILE").contains("--control-plane --certificate-key " + key));
        }
        for (String worker : List.of("worker1", "worker2")) {
            StandInNode.Received join = StandInNodes.node(worker).received().stream().filter(r -> r.script().equals("kubeadm-join.sh"))
                    .findFirst().orElseThrow();
            assertFalse(worker, join.privateFiles().get("JOIN_COMMAND_FILE").contains("--certificate-key"));
            assertEquals(worker + " forwards to the three API servers", List.of("api-load-balancer.sh", "kubeadm-join.sh"),
                    StandInNodes.node(worker).scripts());
        }
        // The joining control planes' stand-ins print their join command, as a careless script might: it is masked.
        j.assertLogNotContains(key, b);
        assertEquals(List.of(), filesContaining(j.jenkins.getRootDir().toPath(), key));
        assertEquals(List.of(), filesContaining(j.jenkins.getRootDir().toPath(), key.substring(0, 32)));

        // Two control planes cannot keep etcd's quorum through one failure: refused before any node is touched.
        StandInNodes.reset();
        j.jenkins.removeNode(j.jenkins.getNode("cp3"));
        WorkflowRun refused = j.assertBuildStatus(Result.FAILURE, p.scheduleBuild2(0));
        j.assertLogContains("label: names 2 control planes (accepted: one control plane, or an odd number such as 3 or 5", refused);
        for (String cp : List.of("cp1", "cp2")) {
            assertEquals(cp, List.of(), StandInNodes.node(cp).scripts());
        }
    }

    @Test
    public void joinWorkersWithoutTheCredentialSaysWhichOneIsMissing() throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class);
        p.setDefinition(new CpsFlowDefinition("joinWorkers(label: 'k8s-worker', joinCredentialsId: 'lab-join')", true));
        WorkflowRun b = j.assertBuildStatus(Result.FAILURE, p.scheduleBuild2(0));
        j.assertLogContains("no join command 'lab-join' is kept in this build or visible to this job", b);
        assertThat(StandInNodes.node("worker1").scripts(), containsInAnyOrder());
    }

    private Folder folder;

    private StringCredentials joinCredential(String id) {
        return CredentialsProvider.lookupCredentialsInItemGroup(StringCredentials.class, folder, ACL.SYSTEM2).stream()
                .filter(c -> c.getId().equals(id)).findFirst().orElseThrow();
    }

    /** Every file below {@code root} whose bytes contain {@code secret}; files Jenkins removes meanwhile are passed over. */
    public static List<String> filesContaining(Path root, String secret) throws IOException {
        byte[] needle = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<String> hits = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                try {
                    if (attrs.isRegularFile() && indexOf(Files.readAllBytes(f), needle) >= 0) {
                        hits.add(root.relativize(f).toString());
                    }
                } catch (IOException e) {
                    // an atomic-write temporary file that is gone already
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return hits;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
