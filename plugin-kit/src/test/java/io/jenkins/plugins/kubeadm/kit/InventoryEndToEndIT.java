package io.jenkins.plugins.kubeadm.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.cluster.ApiServerStandIn;
import io.jenkins.plugins.kubeadm.core.logs.LeakSearch;
import io.jenkins.plugins.kubeadm.core.testnodes.Host;
import io.jenkins.plugins.kubeadm.core.testnodes.StandInAptRepository;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fresh machines that are not agents: three real Debian nodes WITHOUT Java, reached over SSH with a
 * passphrase-protected key credential and a known_hosts credential, built into a cluster by the
 * packaged plugin in the kit's real Jenkins: from the controller (no node block), then again from an
 * agent (a fourth node, with Java) with the inventory and known_hosts as workspace files; a cluster
 * step reaches the API server with the admin kubeconfig fetched over SSH. Neither the private key,
 * the join secret nor the kubeconfig's token may be left anywhere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InventoryEndToEndIT {

    static final String PASSPHRASE = "inventory e2e passphrase";
    static final String SSH_USER = "kadm";
    static TestNodes nodes;
    static StandInAptRepository repo;
    static KitJenkins jenkins;
    static Instant started;
    /** The key credential's text (encrypted with PASSPHRASE): its body lines must not appear anywhere. */
    static String privateKey;
    static final List<String> secrets = new ArrayList<>();

    @BeforeAll
    static void startJenkinsNodesAndCredentials() throws Exception {
        started = Instant.now().minusSeconds(5);
        Path hpi = Path.of(System.getProperty("kubeadm.hpi", "target/kubeadm-pipeline.hpi"));
        jenkins = KitJenkins.start(hpi);
        nodes = TestNodes.start("cp1", "worker1", "worker2", "runner");
        repo = StandInAptRepository.serve(nodes.hostAddress(), List.of("1.34.1-1.1"));
        KitLab.addSudoUser(nodes.node("worker2"), SSH_USER);
        for (TestNode n : clusterNodes()) {
            // The node image has Java for the agent tests; these nodes are fresh machines without it.
            n.sh("mv /usr/lib/jvm /usr/lib/jvm.hidden-by-test && rm -f /usr/bin/java /etc/alternatives/java");
            assertFalse(n.ssh("command -v java || ls /usr/lib/jvm").ok(), n + " has no Java");
        }
        privateKey = passphraseProtectedCopy(nodes.node("cp1").clientKey());
        for (String line : keyBody()) {
            secrets.add(line);
        }
        secrets.add(PASSPHRASE);
        jenkins.awaitUp(Duration.ofMinutes(4));
        // The controller is an SSH client and talks to the cluster in the first test; top-level jobs keep the join command.
        jenkins.allow("controllerSshAllowed", "controllerClusterAccessAllowed", "globalJoinCredentialsAllowed");
        jenkins.groovy(String.join("\n",
                "import com.cloudbees.plugins.credentials.CredentialsScope",
                "import com.cloudbees.plugins.credentials.SystemCredentialsProvider",
                "import com.cloudbees.plugins.credentials.SecretBytes",
                "import com.cloudbees.jenkins.plugins.sshcredentials.impl.BasicSSHUserPrivateKey",
                "import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl",
                "def creds = SystemCredentialsProvider.getInstance()",
                "creds.credentials.add(new BasicSSHUserPrivateKey(CredentialsScope.GLOBAL, 'lab-ssh', 'root',",
                "    new BasicSSHUserPrivateKey.DirectEntryPrivateKeySource('''" + privateKey + "'''), '" + PASSPHRASE + "', 'lab nodes'))",
                "creds.credentials.add(new FileCredentialsImpl(CredentialsScope.GLOBAL, 'lab-known-hosts', 'lab host keys', 'known_hosts',",
                "    SecretBytes.fromBytes('''" + knownHosts() + "'''.getBytes('UTF-8'))))",
                "creds.save()"));
        KitLab.connectAgents(jenkins, List.of(nodes.node("runner")), Map.of(), n -> "ssh-runner");
    }

    static List<TestNode> clusterNodes() {
        return List.of(nodes.node("cp1"), nodes.node("worker1"), nodes.node("worker2"));
    }

    /** The harness key re-encrypted with the passphrase, read into memory; the copy is deleted at once. */
    static String passphraseProtectedCopy(Path key) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("inventory-e2e-key");
        Path copy = dir.resolve("id");
        try {
            Files.copy(key, copy);
            Process p = new ProcessBuilder("ssh-keygen", "-q", "-p", "-P", "", "-N", PASSPHRASE, "-f", copy.toString())
                    .redirectErrorStream(true).start();
            assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            return Files.readString(copy);
        } finally {
            Files.deleteIfExists(copy);
            Files.deleteIfExists(dir);
        }
    }

    static List<String> keyBody() {
        return privateKey.lines().filter(l -> !l.startsWith("-----") && l.length() >= 20).toList();
    }

    /** The cluster nodes' lines of the harness's known_hosts. */
    static String knownHosts() throws IOException {
        Set<String> lines = new LinkedHashSet<>();
        for (TestNode n : clusterNodes()) {
            Files.readString(n.knownHosts()).lines().filter(l -> l.startsWith(n.address() + " ")).forEach(lines::add);
        }
        return String.join("\n", lines) + "\n";
    }

    static String inventory() {
        return String.join("\n",
                "# fresh machines, no Jenkins agent on them",
                "cp1     control-plane  root@" + nodes.node("cp1").address(),
                "worker1 worker         root@" + nodes.node("worker1").address(),
                "worker2 worker         " + SSH_USER + "@" + nodes.node("worker2").address(), "");
    }

    static String cluster(String ssh) {
        return String.join("\n",
                "prepareNode(" + ssh + ")",
                "installRuntime(" + ssh + ", kubernetesVersion: '1.34.1', aptRepository: '" + repo.repoUrl("1.34") + "')",
                "kubeadmInit(" + ssh + ")",
                "joinWorkers(" + ssh + ")", "");
    }

    static void rememberJoinSecrets(String job) throws Exception {
        String joinCommand = jenkins.joinCommandCredential(job);
        secrets.add(joinCommand);
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("--token ([a-z0-9]{6})\\.([a-z0-9]{16})").matcher(joinCommand);
        assertTrue(token.find(), "the credential holds a join command with a token");
        secrets.add(token.group(1) + "." + token.group(2));
        secrets.add(token.group(2));
    }


    @Test
    @Order(1)
    void theControllerBuildsTheClusterOnNodesWithoutJavaOverSsh() throws Exception {
        String ssh = "inventory: nodes, sshCredentialsId: 'lab-ssh', knownHostsCredentialsId: 'lab-known-hosts'";
        jenkins.pipelineJob("inventory", "def nodes = '''" + inventory() + "'''\n" + cluster(ssh));
        KitJenkins.Build b = jenkins.build("inventory", Duration.ofMinutes(15));
        assertEquals("SUCCESS", b.result(), b.console());
        assertTrue(b.console().contains("prepareNode: 3 node(s) of the inventory over SSH from the controller"), b.console());
        assertTrue(b.console().contains("kubeadmInit: cp1 initialized"), b.console());
        assertTrue(b.console().contains("joinWorkers: worker2 joined"), b.console());

        String endpoint = nodes.node("cp1").address() + ":6443";
        for (TestNode n : clusterNodes()) {
            assertEquals("1.34.1-1.1", n.sh("dpkg-query -W -f '${Version}' kubeadm").trim(), n + " has kubeadm from installRuntime");
            assertTrue(n.ssh("test -f /etc/sysctl.d/k8s.conf").ok(), n + " was prepared");
            assertEquals(n.name(), n.sh("hostname").trim(), n + " is named as its inventory line");
            if (!n.name().equals("cp1")) {
                assertTrue(n.sh("cat /etc/kubernetes/kubelet.conf").contains("server: https://" + endpoint), n + " joined cp1");
            }
        }
        // worker2's line logs in as a user with sudo (and joining needed root, so the scripts went through sudo).
        assertTrue(nodes.node("worker2").sh("journalctl --no-pager -o cat -u ssh | grep -c 'Accepted publickey for " + SSH_USER
                + " from " + nodes.hostAddress() + " ' || true").trim().matches("[1-9][0-9]*"), "worker2 was reached as " + SSH_USER);
        String artifacts = jenkins.artifacts("inventory", b.number());
        for (String log : List.of("kubeadm-logs/cp1/01-prepare-node.log", "kubeadm-logs/worker1/02-install-runtime.log",
                "kubeadm-logs/cp1/03-kubeadm-init.log", "kubeadm-logs/worker2/03-kubeadm-join.log", "kubeadm-logs/cp1/04-delete-join-token.log")) {
            assertTrue(artifacts.contains(log), log + " archived: " + artifacts);
        }
        rememberJoinSecrets("inventory");
        String tokenId = secrets.get(secrets.size() - 2).substring(0, 6);
        assertTrue(b.console().contains("join token " + tokenId + " deleted on cp1"), b.console());
        assertFalse(nodes.node("cp1").sh("kubeadm token list").contains(tokenId), "the token is deleted on cp1");
        for (TestNode n : clusterNodes()) {
            assertFalse(n.ssh("command -v java").ok(), n + " still has no Java: nothing installed an agent");
        }
    }

    @Test
    @Order(2)
    void anAgentReachesTheSameNodesWithTheInventoryAndKnownHostsFromItsWorkspace() throws Exception {
        String ssh = "inventoryFile: 'nodes.txt', sshCredentialsId: 'lab-ssh', knownHostsFile: 'known_hosts'";
        jenkins.pipelineJob("inventory-from-agent", "node('ssh-runner') {\n"
                + "writeFile file: 'nodes.txt', text: '''" + inventory() + "'''\n"
                + "writeFile file: 'known_hosts', text: '''" + knownHosts() + "'''\n"
                + cluster(ssh) + "}\n");
        KitJenkins.Build b = jenkins.build("inventory-from-agent", Duration.ofMinutes(15));
        assertEquals("SUCCESS", b.result(), b.console());
        assertTrue(b.console().contains("prepareNode: 3 node(s) of the inventory over SSH from the agent runner"), b.console());
        assertTrue(b.console().contains("kubeadmInit: cp1 already ran this control plane"), b.console());
        assertTrue(b.console().contains("joinWorkers: worker1 was already a node of"), b.console());
        // The SSH sessions came from the agent: cp1's sshd logged logins from the runner's address.
        assertTrue(nodes.node("cp1").sh("journalctl --no-pager -o cat -u ssh | grep -c 'Accepted publickey for root from "
                + nodes.node("runner").address() + " ' || true").trim().matches("[1-9][0-9]*"), "cp1 was reached from the runner");
        rememberJoinSecrets("inventory-from-agent");
    }

    @Test
    @Order(3)
    void aClusterStepReachesTheApiServerWithTheAdminKubeconfigFetchedOverSsh() throws Exception {
        TestNode cp1 = nodes.node("cp1");
        // On the nodes' network, so the runner agent reaches it too.
        try (ApiServerStandIn api = new ApiServerStandIn(java.net.InetAddress.getByName(nodes.hostAddress()))) {
            secrets.add(api.token());
            // For this build cp1's admin kubeconfig leads to a stand-in API server the test can look into.
            cp1.sh("cp -a /etc/kubernetes/admin.conf /root/admin.conf.real");
            assertTrue(cp1.ssh("install -m 600 /dev/stdin /etc/kubernetes/admin.conf",
                    api.kubeconfig().getBytes(StandardCharsets.UTF_8)).ok());
            try {
                jenkins.pipelineJob("workload-over-ssh", "deployWorkload(inventory: '''" + inventory() + "''',"
                        + " sshCredentialsId: 'lab-ssh', knownHostsCredentialsId: 'lab-known-hosts', namespace: 'default',"
                        + " manifestText: 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: lab-settings\\ndata:\\n  cni: flannel\\n')");
                KitJenkins.Build b = jenkins.build("workload-over-ssh", Duration.ofMinutes(5));
                assertEquals("SUCCESS", b.result(), b.console());
                assertTrue(b.console().contains("deployWorkload: "), b.console());
                assertEquals("flannel", api.admin().configMaps().inNamespace("default").withName("lab-settings").get().getData().get("cni"),
                        "the ConfigMap reached the API server named in cp1's admin kubeconfig");
                assertFalse(b.console().contains(api.token()), "the kubeconfig's token is masked");
                assertFalse(jenkins.artifacts("workload-over-ssh", b.number()).contains("admin"), "no kubeconfig is archived");

                // Inside node('ssh-runner') the runner fetches the kubeconfig and talks to the API server: the controller may not.
                jenkins.groovy("io.jenkins.plugins.kubeadm.security.KubeadmPipelineSettings.get().controllerClusterAccessAllowed = false");
                try {
                    jenkins.pipelineJob("workload-from-agent", "node('ssh-runner') {\n  deployWorkload(inventory: '''" + inventory()
                            + "''', sshCredentialsId: 'lab-ssh', knownHostsCredentialsId: 'lab-known-hosts', namespace: 'default',"
                            + " manifestText: 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: from-the-runner\\n')\n}\n");
                    b = jenkins.build("workload-from-agent", Duration.ofMinutes(5));
                } finally {
                    jenkins.allow("controllerClusterAccessAllowed");
                }
                assertEquals("SUCCESS", b.result(), b.console());
                assertTrue(b.console().contains("deployWorkload: "), b.console());
                assertEquals("from-the-runner", api.admin().configMaps().inNamespace("default").withName("from-the-runner").get()
                        .getMetadata().getName(), "the runner reached the API server named in cp1's admin kubeconfig");
                assertFalse(b.console().contains(api.token()), "the kubeconfig's token is masked");
            } finally {
                cp1.sh("mv /root/admin.conf.real /etc/kubernetes/admin.conf");
            }
        }
    }

    @Test
    @Order(4)
    void neitherThePrivateKeyNorAJoinSecretIsLeftAnywhere() throws Exception {
        assertEquals(List.of(), LeakSearch.filesContaining(jenkins.home(), secrets), "JENKINS_HOME holds a secret");
        assertEquals(List.of(), recentFilesContaining(Path.of(System.getProperty("java.io.tmpdir")), secrets),
                "the controller's temp files hold a secret");
        byte[] patterns = (String.join("\n", secrets) + "\n").getBytes(StandardCharsets.UTF_8);
        for (TestNode n : nodes.nodes()) {
            // Every file, the agent's workspace, remoting cache and /tmp included, but the control plane's token store.
            Host.Result files = n.ssh("grep -rlsF -f - / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev; true", patterns);
            String hits = files.stdout().lines().filter(p -> !p.startsWith("/var/lib/etcd/")).reduce("", (a, c) -> a + c + "\n");
            assertEquals("", hits, n + ": files hold a secret");
            assertEquals("0", n.ssh("journalctl --no-pager -o cat | grep -cF -f -; true", patterns).stdout().trim(),
                    n + ": the journal holds a secret");
        }
        // The search itself can find: the workspace file written from the pipeline is there.
        assertTrue(nodes.node("runner").sh("grep -rlsF 'worker2 worker' /var/lib/jenkins-agent/workspace; true").contains("nodes.txt"));
    }

    /** Files under {@code root} changed since the test started that hold any of the secrets. */
    static List<Path> recentFilesContaining(Path root, List<String> needles) throws IOException {
        List<Path> hits = new ArrayList<>();
        FileTime since = FileTime.from(started);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile() && attributes.lastModifiedTime().compareTo(since) >= 0 && attributes.size() < 64 << 20) {
                    try {
                        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                        if (needles.stream().anyMatch(text::contains)) {
                            hits.add(file);
                        }
                    } catch (IOException e) {
                        // gone meanwhile: other processes share the temp folder
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return hits;
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (jenkins != null) {
                jenkins.close();
                jenkins.deleteHome();
            }
        } finally {
            try {
                if (repo != null) {
                    repo.close();
                }
            } finally {
                if (nodes != null) {
                    nodes.close();
                }
            }
        }
    }
}
