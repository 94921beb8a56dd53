package io.jenkins.plugins.kubeadm.steps;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.cloudbees.jenkins.plugins.sshcredentials.impl.BasicSSHUserPrivateKey;
import com.cloudbees.plugins.credentials.Credentials;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SecretBytes;
import com.cloudbees.plugins.credentials.domains.Domain;
import hudson.model.Result;
import hudson.util.Secret;
import io.jenkins.plugins.kubeadm.StandInNodes;
import io.jenkins.plugins.kubeadm.security.KubeadmPipelineSettings;
import io.jenkins.plugins.kubeadm.core.exec.HostKeyPolicy;
import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.stream.Stream;
import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestExtension;

/**
 * The node steps given an inventory instead of agents: the inventory's lines, the SSH key credential
 * and the host key policy become SSH targets (stand-ins here; PluginEndToEndIT logs in to real
 * nodes), and every bad input fails naming its parameter before any node is touched.
 */
public class InventoryStepsTest {

    private static final String PASSPHRASE = "lab passphrase 7";
    private static final String INVENTORY = "# the lab\\ncp1 control-plane root@192.168.56.10\\n"
            + "worker1 worker ubuntu@192.168.56.11:2222\\nworker2 worker root@192.168.56.12\\n";
    private static final String SSH = "sshCredentialsId: 'lab-key', knownHostsCredentialsId: 'lab-hosts'";

    @ClassRule
    public static TemporaryFolder keys = new TemporaryFolder();

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @TestExtension
    public static class Nodes extends StandInNodes {
    }

    private String privateKey;

    @Before
    public void credentials() throws Exception {
        StandInNodes.reset();
        // These tests are about the inventory binding; BuildAccessTest checks each setting off.
        KubeadmPipelineSettings settings = KubeadmPipelineSettings.get();
        settings.setControllerSshAllowed(true);
        settings.setAcceptAnyHostKeyAllowed(true);
        settings.setControllerClusterAccessAllowed(true);
        Path key = keys.getRoot().toPath().resolve("id_" + System.nanoTime());
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", PASSPHRASE, "-C", "lab", "-f", key.toString())
                .redirectErrorStream(true).start();
        assertEquals(new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8), 0, keygen.waitFor());
        privateKey = Files.readString(key);
        String hostKey = Files.readString(Path.of(key + ".pub")).trim().replace(" lab", "");
        add(new BasicSSHUserPrivateKey(CredentialsScope.GLOBAL, "lab-key", "ignored-user",
                new BasicSSHUserPrivateKey.DirectEntryPrivateKeySource(privateKey), PASSPHRASE, "lab nodes"));
        add(new FileCredentialsImpl(CredentialsScope.GLOBAL, "lab-hosts", "lab host keys", "known_hosts",
                SecretBytes.fromBytes(("192.168.56.10 " + hostKey + "\n").getBytes(StandardCharsets.UTF_8))));
        add(new StringCredentialsImpl(CredentialsScope.GLOBAL, "some-text", "not a key", Secret.fromString("not-a-key-at-all")));
    }

    private void add(Credentials credential) throws Exception {
        CredentialsProvider.lookupStores(j.jenkins).iterator().next().addCredentials(Domain.global(), credential);
    }

    private WorkflowRun run(String script, Result expected) throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return j.assertBuildStatus(expected, p.scheduleBuild2(0));
    }

    @Test
    public void eachStepRunsOnTheInventorysLinesWithTheCredentialsKeyAndHostKeys() throws Exception {
        WorkflowRun b = run("def nodes = '''" + INVENTORY + "'''\n"
                + "prepareNode(inventory: nodes, " + SSH + ")\n"
                + "installRuntime(inventory: nodes, " + SSH + ")\n"
                + "kubeadmInit(inventory: nodes, " + SSH + ")\n"
                + "joinWorkers(inventory: nodes, " + SSH + ")\n", Result.SUCCESS);

        assertEquals(List.of("prepare-node.sh", "install-runtime.sh", "kubeadm-init.sh", "delete-join-token.sh"),
                StandInNodes.node("cp1").scripts());
        assertEquals(List.of("prepare-node.sh", "install-runtime.sh", "kubeadm-join.sh"), StandInNodes.node("worker1").scripts());
        assertEquals(List.of("prepare-node.sh", "install-runtime.sh", "kubeadm-join.sh"), StandInNodes.node("worker2").scripts());
        var cpPrepare = StandInNodes.node("cp1").received().get(0).environment();
        assertEquals("control-plane", cpPrepare.get("NODE_ROLE"));
        assertEquals("cp1", cpPrepare.get("NODE_HOSTNAME"));
        assertEquals("worker", StandInNodes.node("worker1").received().get(0).environment().get("NODE_ROLE"));
        assertTrue(cpPrepare.get("CLUSTER_HOSTS"), cpPrepare.get("CLUSTER_HOSTS").contains("192.168.56.11 worker1"));

        NodeTarget worker1 = StandInNodes.target("worker1");
        assertEquals("ubuntu", worker1.user());
        assertEquals("192.168.56.11", worker1.host());
        assertEquals(2222, worker1.port());
        assertThat(worker1.hostKeyPolicy(), instanceOf(HostKeyPolicy.KnownHostsText.class));
        // The credential's passphrase-protected key, loaded in memory: the target can log in with it.
        List<KeyPair> pairs = worker1.identity().load(null);
        assertEquals(1, pairs.size());

        j.assertLogContains("prepareNode: 3 node(s) of the inventory over SSH from the controller", b);
        j.assertLogContains("joinWorkers: join token", b);
        assertThat(NodeStepsTest.artifacts(b), hasItems("kubeadm-logs/cp1/01-prepare-node.log",
                "kubeadm-logs/worker2/03-kubeadm-join.log", "kubeadm-logs/cp1/04-delete-join-token.log"));
        assertNoKeyMaterialIn(b);
    }

    @Test
    public void aBadInventoryLineIsNamedWithItsNumberBeforeAnyNodeIsTouched() throws Exception {
        WorkflowRun b = run("prepareNode(inventory: 'cp1 control-plane root@10.0.0.1\\nworker1 worker 10.0.0.2', " + SSH + ")",
                Result.FAILURE);
        j.assertLogContains("inventory: line 2: '10.0.0.2' is not USER@HOST[:PORT]", b);
        j.assertLogContains("NAME ROLE USER@HOST[:PORT]", b);
        b = run("installRuntime(inventory: 'cp1 boss root@10.0.0.1', " + SSH + ")", Result.FAILURE);
        j.assertLogContains("inventory: line 1: 'boss' is not a role", b);
        assertNothingTouched();
    }

    @Test
    public void aBadLineOfAnInventoryFileNamesTheFileAndLine() throws Exception {
        WorkflowRun b = run("node { writeFile file: 'nodes.txt', text: 'cp1 control-plane root@10.0.0.1\\n\\nworker1 worker root@10.0.0.2 extra\\n'\n"
                + "  prepareNode(inventoryFile: 'nodes.txt', " + SSH + ") }", Result.FAILURE);
        j.assertLogContains("inventoryFile: 'nodes.txt' line 3: expected 3 fields, found 4", b);
        assertNothingTouched();
    }

    @Test
    public void anInventoryFileAndAKnownHostsFileFromTheWorkspaceWork() throws Exception {
        String hostLine = "192.168.56.10 " + Files.readString(keys.getRoot().toPath().resolve(
                Stream.of(keys.getRoot().list()).filter(n -> n.endsWith(".pub")).findFirst().orElseThrow())).trim();
        WorkflowRun b = run("node { writeFile file: 'nodes.txt', text: 'cp1 control-plane root@192.168.56.10\\n'\n"
                + "  writeFile file: 'known_hosts', text: '" + hostLine + "\\n'\n"
                + "  resetNode(inventoryFile: 'nodes.txt', sshCredentialsId: 'lab-key', knownHostsFile: 'known_hosts') }", Result.SUCCESS);
        assertEquals(List.of("reset-node.sh"), StandInNodes.node("cp1").scripts());
        assertThat(StandInNodes.target("cp1").hostKeyPolicy(), instanceOf(HostKeyPolicy.KnownHostsText.class));
        // node { } ran on the built-in node: the controller itself is the SSH client.
        j.assertLogContains("resetNode: 1 node(s) of the inventory over SSH from the controller", b);
    }

    @Test
    public void anUnknownCredentialIdIsNamed() throws Exception {
        WorkflowRun b = run("prepareNode(inventory: 'cp1 control-plane root@10.0.0.1', sshCredentialsId: 'nope', acceptAnyHostKey: true)",
                Result.FAILURE);
        j.assertLogContains("sshCredentialsId: no credential 'nope' is visible to this job", b);
        b = run("prepareNode(inventory: 'cp1 control-plane root@10.0.0.1', sshCredentialsId: 'lab-key', knownHostsCredentialsId: 'gone')",
                Result.FAILURE);
        j.assertLogContains("knownHostsCredentialsId: no credential 'gone' is visible to this job", b);
        assertNothingTouched();
    }

    @Test
    public void aCredentialOfAnotherKindIsNamedWithItsKind() throws Exception {
        WorkflowRun b = run("kubeadmInit(inventory: 'cp1 control-plane root@10.0.0.1', sshCredentialsId: 'some-text', acceptAnyHostKey: true)",
                Result.FAILURE);
        j.assertLogContains("sshCredentialsId: the credential 'some-text' is a Secret text credential, not an SSH Username with private key", b);
        b = run("kubeadmInit(inventory: 'cp1 control-plane root@10.0.0.1', sshCredentialsId: 'lab-key', knownHostsCredentialsId: 'some-text')",
                Result.FAILURE);
        j.assertLogContains("knownHostsCredentialsId: the credential 'some-text' is a Secret text credential, not a secret file", b);
        j.assertLogNotContains("not-a-key-at-all", b);
        assertNothingTouched();
    }

    @Test
    public void aKeyThatCannotBeLoadedFailsWithoutShowingKeyOrPassphrase() throws Exception {
        add(new BasicSSHUserPrivateKey(CredentialsScope.GLOBAL, "wrong-pass", "root",
                new BasicSSHUserPrivateKey.DirectEntryPrivateKeySource(privateKey), "not the passphrase", null));
        add(new BasicSSHUserPrivateKey(CredentialsScope.GLOBAL, "not-a-key", "root",
                new BasicSSHUserPrivateKey.DirectEntryPrivateKeySource("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPublicKeyOnly lab"), null, null));
        WorkflowRun b = run("prepareNode(inventory: 'cp1 control-plane root@10.0.0.1', sshCredentialsId: 'wrong-pass', acceptAnyHostKey: true)",
                Result.FAILURE);
        j.assertLogContains("sshCredentialsId: the private key of the SSH credential 'wrong-pass' cannot be loaded", b);
        j.assertLogContains("the passphrase is wrong", b);
        j.assertLogNotContains("not the passphrase", b);
        assertNoKeyMaterialIn(b);
        b = run("prepareNode(inventory: 'cp1 control-plane root@10.0.0.1', sshCredentialsId: 'not-a-key', acceptAnyHostKey: true)",
                Result.FAILURE);
        j.assertLogContains("sshCredentialsId: the SSH credential 'not-a-key' holds no private key", b);
        j.assertLogNotContains("PublicKeyOnly", b);
        assertNothingTouched();
    }

    @Test
    public void parametersThatDoNotGoTogetherAreNamed() throws Exception {
        j.waitOnline(j.createSlave("cp9", "k8s-control-plane", null));
        String one = "inventory: 'cp1 control-plane root@10.0.0.1'";
        WorkflowRun b = run("resetNode(label: 'k8s-control-plane', " + one + ", " + SSH + ")", Result.FAILURE);
        j.assertLogContains("label: cannot go with an inventory", b);
        b = run("resetNode(" + one + ", sshCredentialsId: 'lab-key')", Result.FAILURE);
        j.assertLogContains("knownHostsFile: no host key policy is given", b);
        b = run("resetNode(" + one + ", " + SSH + ", acceptAnyHostKey: true)", Result.FAILURE);
        j.assertLogContains("acceptAnyHostKey: give exactly one host key policy", b);
        b = run("resetNode(" + one + ", knownHostsCredentialsId: 'lab-hosts')", Result.FAILURE);
        j.assertLogContains("sshCredentialsId: is required with an inventory", b);
        b = run("resetNode(label: 'k8s-control-plane', sshCredentialsId: 'lab-key')", Result.FAILURE);
        j.assertLogContains("sshCredentialsId: goes with an inventory, and none is given", b);
        b = run("prepareNode(" + one + ", " + SSH + ", role: 'worker')", Result.FAILURE);
        j.assertLogContains("role: comes from each node's inventory line", b);
        b = run("joinWorkers(" + one + ", " + SSH + ", controlPlaneLabel: 'cp')", Result.FAILURE);
        j.assertLogContains("controlPlaneLabel: cannot go with an inventory", b);
        assertNothingTouched();
        b = run("kubeadmInit(inventory: 'cp1 control-plane root@10.0.0.1\\ncp2 control-plane root@10.0.0.2', " + SSH + ")",
                Result.FAILURE);
        j.assertLogContains("inventory: names 2 control planes (accepted: one control plane, or an odd number such as 3 or 5", b);
        assertThat(StandInNodes.node("cp1").scripts(), empty());
        assertThat(StandInNodes.node("cp2").scripts(), empty());
        assertThat(StandInNodes.node("cp9").scripts(), empty());
    }

    @Test
    public void acceptAnyHostKeyIsLoud() throws Exception {
        // The parameters as one map, as a Jenkinsfile shares them between the steps.
        WorkflowRun b = run("def ssh = [inventory: 'cp1 control-plane root@10.0.0.1', sshCredentialsId: 'lab-key', acceptAnyHostKey: true]\n"
                + "resetNode(ssh)\nresetNode(ssh + [timeoutMinutes: 3])", Result.SUCCESS);
        assertEquals(List.of("reset-node.sh", "reset-node.sh"), StandInNodes.node("cp1").scripts());
        j.assertLogContains("WARNING: acceptAnyHostKey: the nodes' SSH host keys are NOT checked", b);
        assertThat(StandInNodes.target("cp1").hostKeyPolicy(), instanceOf(HostKeyPolicy.InsecureAcceptAny.class));
    }

    @Test
    public void aClusterStepFetchesTheAdminKubeconfigFromTheControlPlaneLineOnly() throws Exception {
        // The stand-in has no kubeconfig to give: the step must say where it looked, and touch no other node.
        StandInNodes.node("cp1").failingScript = "fetch-admin-kubeconfig.sh";
        WorkflowRun b = run("applyCni(inventory: '''" + INVENTORY + "''', " + SSH + ")", Result.FAILURE);
        j.assertLogContains("cp1: cannot fetch the admin kubeconfig /etc/kubernetes/admin.conf: cp1 stand-in refuses"
                + " fetch-admin-kubeconfig.sh", b);
        assertEquals(List.of("fetch-admin-kubeconfig.sh"), StandInNodes.node("cp1").scripts());
        assertThat(StandInNodes.node("worker1").scripts(), empty());
    }

    @Test
    public void insideANodeBlockTheAgentTalksToTheClusterSoTheControllerNeedsNoSetting() throws Exception {
        KubeadmPipelineSettings.get().setControllerClusterAccessAllowed(false);
        KubeadmPipelineSettings.get().setControllerSshAllowed(false);
        j.waitOnline(j.createSlave("runner", "runner", null));
        WorkflowRun b = run("node('runner') { applyCni(inventory: '''" + INVENTORY + "''', " + SSH + ") }", Result.SUCCESS);
        j.assertLogContains("stand-in API server took Work from the agent runner", b);
        assertEquals(1, StandInNodes.node("cp1").clusterWork().size());
        assertThat("the admin kubeconfig is fetched by the agent, not through the controller", StandInNodes.node("cp1").scripts(), empty());
        b = run("applyCni(inventory: '''" + INVENTORY + "''', " + SSH + ")", Result.FAILURE);
        j.assertLogContains("inventory: the controller as SSH client is not allowed on this Jenkins", b);
        assertEquals(1, StandInNodes.node("cp1").clusterWork().size());
    }

    @Test
    public void removeNodeTakesTheNamedInventoryLinesAControlPlaneLeavingEtcdThroughOneThatStays() throws Exception {
        j.waitOnline(j.createSlave("runner", "runner", null));
        String three = "cp1 control-plane root@192.168.56.10\\ncp2 control-plane root@192.168.56.13\\ncp3 control-plane root@192.168.56.14\\n"
                + "worker1 worker root@192.168.56.11\\n";
        StandInNodes.node("cp1").etcdMembers.addAll(List.of("cp1", "cp2", "cp3"));
        WorkflowRun b = run("node('runner') { removeNode(inventory: '" + three + "', nodes: 'cp3', " + SSH + ") }", Result.SUCCESS);
        assertEquals(List.of("node-name.sh", "reset-node.sh"), StandInNodes.node("cp3").scripts());
        assertEquals(List.of("etcd-members.sh", "etcd-members.sh"), StandInNodes.node("cp1").scripts());
        assertThat(StandInNodes.node("cp2").scripts(), empty());
        assertThat(StandInNodes.node("worker1").scripts(), empty());
        RemoveNodeStep.Work work = (RemoveNodeStep.Work) StandInNodes.node("cp1").clusterWork().get(0);
        assertEquals(List.of("cp3"), work.controlPlanes());
        j.assertLogContains("removeNode: etcd member cp3 removed; etcd has 2 members: cp1, cp2", b);

        b = run("node('runner') { removeNode(inventory: '" + three + "', nodes: 'cp3, worker9', " + SSH + ") }", Result.FAILURE);
        j.assertLogContains("nodes: 'worker9' is no line of the inventory (accepted: a comma-separated list of the inventory's node names:"
                + " cp1, cp2, cp3, worker1)", b);
        b = run("removeNode(label: 'k8s-worker', nodes: 'worker1')", Result.FAILURE);
        j.assertLogContains("nodes: names an inventory's lines, and no inventory is given", b);
        assertEquals(List.of("node-name.sh", "reset-node.sh"), StandInNodes.node("cp3").scripts());
        assertThat(StandInNodes.node("worker1").scripts(), empty());
    }

    @Test
    public void clusterStepParametersThatDoNotGoWithAnInventoryAreNamed() throws Exception {
        WorkflowRun b = run("applyCni(inventory: 'cp1 control-plane root@10.0.0.1', " + SSH + ", controlPlaneLabel: 'cp')",
                Result.FAILURE);
        j.assertLogContains("controlPlaneLabel: cannot go with an inventory", b);
        b = run("installGpuPlugin(inventory: 'cp1 control-plane root@10.0.0.1', " + SSH + ", label: 'k8s-gpu')", Result.FAILURE);
        j.assertLogContains("label: cannot go with an inventory", b);
        b = run("deployWorkload(manifestText: 'kind: ConfigMap', inventory: 'cp1 control-plane root@10.0.0.1', sshCredentialsId: 'lab-key')",
                Result.FAILURE);
        j.assertLogContains("knownHostsFile: no host key policy is given", b);
        b = run("installGpuPlugin(inventory: 'cp1 control-plane root@10.0.0.1', " + SSH + ")", Result.FAILURE);
        j.assertLogContains("inventory: installGpuPlugin runs on the worker lines, and the inventory has none", b);
        assertThat(StandInNodes.node("cp1").scripts(), empty());
    }

    /** The form docs/plugin.md gives a Declarative Jenkinsfile that chooses between agents and an inventory. */
    @Test
    public void aDeclarativePipelineChoosesTheInventoryByParameter() throws Exception {
        String jenkinsfile = String.join("\n",
                "Map nodes(String label) {",
                "    params.NODES == 'inventory'",
                "        ? [inventory: params.INVENTORY, sshCredentialsId: params.SSH_CREDENTIALS_ID,",
                "           knownHostsCredentialsId: params.KNOWN_HOSTS_CREDENTIALS_ID]",
                "        : [label: label]",
                "}",
                "pipeline {",
                "    agent none",
                "    parameters {",
                "        choice(name: 'NODES', choices: ['inventory', 'agents'])",
                "        text(name: 'INVENTORY', defaultValue: '''" + INVENTORY + "''')",
                "        string(name: 'SSH_CREDENTIALS_ID', defaultValue: 'lab-key')",
                "        string(name: 'KNOWN_HOSTS_CREDENTIALS_ID', defaultValue: 'lab-hosts')",
                "    }",
                "    stages {",
                "        stage('Prepare') { steps { script { prepareNode(nodes('k8s-control-plane || k8s-worker')) } } }",
                "        stage('Runtime') { steps { script {",
                "            installRuntime(nodes('k8s-control-plane || k8s-worker') + [kubernetesVersion: '1.35']) } } }",
                "        stage('Control plane') { steps { script { kubeadmInit(nodes('k8s-control-plane')) } } }",
                "        stage('Workers') { steps { script { joinWorkers(nodes('k8s-worker')) } } }",
                "    }",
                "}", "");
        WorkflowRun b = run(jenkinsfile, Result.SUCCESS);
        assertEquals(List.of("prepare-node.sh", "install-runtime.sh", "kubeadm-init.sh", "delete-join-token.sh"),
                StandInNodes.node("cp1").scripts());
        assertEquals("1.35", StandInNodes.node("worker2").received().get(1).environment().get("KUBERNETES_VERSION"));
        j.assertLogContains("kubeadmInit: 3 node(s) of the inventory over SSH from the controller", b);
    }

    private static void assertNothingTouched() {
        for (String node : List.of("cp1", "cp2", "worker1", "worker2")) {
            assertThat(node + " was touched", StandInNodes.node(node).scripts(), empty());
            assertNull(node + " got an SSH target", StandInNodes.target(node));
        }
    }

    /** No line of the key's body in the console, the step logs or any other file of the build. */
    private void assertNoKeyMaterialIn(WorkflowRun b) throws Exception {
        List<String> body = privateKey.lines().filter(l -> !l.startsWith("-----") && l.length() > 20).toList();
        assertFalse(body.isEmpty());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(b.getRootDir().toPath())) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (String line : body) {
                assertFalse(file + " holds the private key", text.contains(line));
            }
            assertFalse(file + " holds the passphrase", text.contains(PASSPHRASE));
        }
        assertThat(new File(b.getRootDir(), "log").exists(), org.hamcrest.Matchers.is(true));
    }

    /** The SSH and inventory fields' help lives once, with KubeadmStep; Jenkins serves it for every step that has the fields. */
    @Test
    public void everyStepShowsTheSharedSshFieldsHelpAndItsOwnInventoryHelp() throws Exception {
        JenkinsRule.WebClient web = j.createWebClient();
        for (Class<?> step : List.of(PrepareNodeStep.class, JoinWorkersStep.class, ApplyCniStep.class, InstallGpuPluginStep.class)) {
            String help = "descriptor/" + step.getName() + "/help/";
            String credential = web.goTo(help + "sshCredentialsId", null).getWebResponse().getContentAsString();
            assertTrue(step.getSimpleName() + ": " + credential, credential.contains("SSH Username with private key"));
            String anyKey = web.goTo(help + "acceptAnyHostKey", null).getWebResponse().getContentAsString();
            assertTrue(step.getSimpleName() + ": " + anyKey, anyKey.contains("throw-away") || anyKey.contains("throwaway"));
            String inventory = web.goTo(help + "inventory", null).getWebResponse().getContentAsString();
            assertTrue(step.getSimpleName() + ": " + inventory, inventory.contains("NAME ROLE USER@HOST[:PORT]"));
        }
    }
}
