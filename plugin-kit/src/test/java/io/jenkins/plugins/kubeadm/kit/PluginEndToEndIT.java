package io.jenkins.plugins.kubeadm.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.cluster.ApiServerStandIn;
import io.jenkins.plugins.kubeadm.core.logs.LeakSearch;
import io.jenkins.plugins.kubeadm.core.testnodes.Host;
import io.jenkins.plugins.kubeadm.core.testnodes.StandInAptRepository;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged plugin in the kit's real Jenkins, with three real Debian nodes as SSH build agents
 * (ssh-slaves, an SSH key credential; worker2 logs in as a non-root user with sudo), building a
 * cluster with the stand-in Kubernetes packages: what a user's first build does.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PluginEndToEndIT {

    static final String JOB = "lab";
    static final String NON_ROOT_USER = "kadm";
    static TestNodes nodes;
    static StandInAptRepository repo;
    static KitJenkins jenkins;
    /** Every join secret the builds handled, for the leak search. */
    static final List<String> secrets = new ArrayList<>();

    @BeforeAll
    static void startJenkinsAndAgents() throws Exception {
        Path hpi = Path.of(System.getProperty("kubeadm.hpi", "target/kubeadm-pipeline.hpi"));
        jenkins = KitJenkins.start(hpi);
        nodes = TestNodes.start("cp1", "worker1", "worker2");
        repo = StandInAptRepository.serve(nodes.hostAddress(), List.of("1.34.1-1.1"));
        KitLab.addSudoUser(nodes.node("worker2"), NON_ROOT_USER);
        jenkins.awaitUp(Duration.ofMinutes(4));

        String active = jenkins.groovy("def p = jenkins.model.Jenkins.get().pluginManager.getPlugin('kubeadm-pipeline')\n"
                + "print(p == null ? 'missing' : (p.isActive() ? 'active ' + p.version : 'inactive'))\n"
                + "jenkins.model.Jenkins.get().pluginManager.failedPlugins.each { println(' failed: ' + it.name + ' ' + it.cause) }");
        assertTrue(active.startsWith("active "), "the packaged plugin loads in the kit's Jenkins: " + active);
        KitLab.connectAgents(jenkins, nodes, Map.of("worker2", NON_ROOT_USER));
        // A cluster step runs from the controller with a kubeconfig credential; the top-level job keeps its join command.
        jenkins.allow("controllerClusterAccessAllowed", "globalJoinCredentialsAllowed");
    }

    static String cluster() {
        return String.join("\n",
                "prepareNode(label: 'k8s-control-plane || k8s-worker')",
                "installRuntime(label: 'k8s-control-plane || k8s-worker', kubernetesVersion: '1.34.1', aptRepository: '"
                        + repo.repoUrl("1.34") + "')",
                "kubeadmInit(label: 'k8s-control-plane')",
                "joinWorkers(label: 'k8s-worker')", "");
    }

    static String joinCommandCredential() throws Exception {
        return jenkins.joinCommandCredential(JOB);
    }

    static void rememberSecrets(String joinCommand) {
        secrets.add(joinCommand);
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("--token ([a-z0-9]{6})\\.([a-z0-9]{16})").matcher(joinCommand);
        assertTrue(token.find(), "the credential holds a join command with a token");
        secrets.add(token.group(1) + "." + token.group(2));
        secrets.add(token.group(2));
    }

    @Test
    @Order(1)
    void aPipelineBuildsTheClusterOnTheAgentsAndKeepsTheJoinCommandAsACredential() throws Exception {
        jenkins.pipelineJob(JOB, cluster());
        KitJenkins.Build b = jenkins.build(JOB, Duration.ofMinutes(15));
        assertEquals("SUCCESS", b.result(), b.console());
        assertTrue(b.console().contains("kubeadmInit: cp1 initialized"), b.console());
        assertTrue(b.console().contains("(created)"), b.console());
        assertTrue(b.console().contains("joinWorkers: worker2 joined"), b.console());

        String endpoint = nodes.node("cp1").address() + ":6443";
        for (TestNode n : nodes.nodes()) {
            assertEquals("1.34.1-1.1", n.sh("dpkg-query -W -f '${Version}' kubeadm").trim(), n + " has kubeadm from installRuntime");
            assertTrue(n.ssh("test -f /etc/sysctl.d/k8s.conf").ok(), n + " was prepared");
            if (!n.name().equals("cp1")) {
                assertTrue(n.sh("cat /etc/kubernetes/kubelet.conf").contains("server: https://" + endpoint), n + " joined cp1");
            }
        }
        // The non-root agent really ran its scripts through sudo: its agent process is not root.
        assertEquals(NON_ROOT_USER, nodes.node("worker2").sh("ps -o user= -C java | sort -u").trim());

        String artifacts = jenkins.artifacts(JOB, b.number());
        for (String log : List.of("kubeadm-logs/cp1/01-prepare-node.log", "kubeadm-logs/cp1/02-install-runtime.log",
                "kubeadm-logs/cp1/03-kubeadm-init.log", "kubeadm-logs/worker2/03-kubeadm-join.log")) {
            assertTrue(artifacts.contains(log), log + " archived: " + artifacts);
        }
        String joinCommand = joinCommandCredential();
        rememberSecrets(joinCommand);
        assertTrue(joinCommand.contains(endpoint), "the credential's join command names cp1");
        // Every worker joined, so the bootstrap token is gone from the control plane.
        String tokenId = secrets.get(secrets.size() - 2).substring(0, 6);
        assertTrue(b.console().contains("join token " + tokenId + " deleted on cp1"), b.console());
        assertFalse(nodes.node("cp1").sh("kubeadm token list").contains(tokenId), "the token is deleted on cp1");
    }

    @Test
    @Order(2)
    void aSecondBuildChangesNothingOnTheNodesAndUpdatesTheCredential() throws Exception {
        String first = joinCommandCredential();
        KitJenkins.Build b = jenkins.build(JOB, Duration.ofMinutes(10));
        assertEquals("SUCCESS", b.result(), b.console());
        assertTrue(b.console().contains("(updated)"), b.console());
        assertTrue(b.console().contains("kubeadmInit: cp1 already ran this control plane"), b.console());
        assertTrue(b.console().contains("worker1 was already a node of"), b.console());
        String second = joinCommandCredential();
        rememberSecrets(second);
        assertNotEquals(first, second, "a fresh token for every build");
        assertEquals(1, Integer.parseInt(jenkins.groovy("print(com.cloudbees.plugins.credentials.CredentialsProvider"
                + ".lookupCredentialsInItemGroup(org.jenkinsci.plugins.plaincredentials.StringCredentials,"
                + " jenkins.model.Jenkins.get(), hudson.security.ACL.SYSTEM2).size())").trim()));
    }

    @Test
    @Order(3)
    void aBadParameterFailsBeforeAnyNodeIsTouchedAndAFailedStepStillArchivesItsLog() throws Exception {
        String before = nodes.node("cp1").sh("find /etc/kubernetes -type f -newer /etc/hostname | sort | xargs -r md5sum");
        jenkins.pipelineJob("bad-parameter", "kubeadmInit(label: 'k8s-control-plane', serviceCidr: '10.244.0.0/16')");
        KitJenkins.Build bad = jenkins.build("bad-parameter", Duration.ofMinutes(5));
        assertEquals("FAILURE", bad.result(), bad.console());
        assertTrue(bad.console().contains("serviceCidr"), bad.console());
        assertFalse(jenkins.artifacts("bad-parameter", bad.number()).contains("kubeadm-logs"), "no step ran on a node");
        assertEquals(before, nodes.node("cp1").sh("find /etc/kubernetes -type f -newer /etc/hostname | sort | xargs -r md5sum"));

        jenkins.pipelineJob("failing", "installRuntime(label: 'k8s-worker', kubernetesVersion: '1.34.1',"
                + " aptRepository: 'http://" + nodes.hostAddress() + ":9/nothing/')");
        KitJenkins.Build failing = jenkins.build("failing", Duration.ofMinutes(10));
        assertEquals("FAILURE", failing.result(), failing.console());
        assertTrue(failing.console().contains("worker1") && failing.console().contains("worker2"), failing.console());
        String log = jenkins.artifact("failing", failing.number(), "kubeadm-logs/worker1/01-install-runtime.log");
        assertTrue(log.contains("FAILED") && log.contains("cannot download the repository key"), log);
    }

    @Test
    @Order(4)
    void aClusterStepReachesTheApiServerWithAKubeconfigCredentialThroughTheKitsFabric8() throws Exception {
        try (ApiServerStandIn api = new ApiServerStandIn()) {
            secrets.add(api.token());
            String kubeconfig = Base64.getEncoder().encodeToString(api.kubeconfig().getBytes(StandardCharsets.UTF_8));
            jenkins.groovy(String.join("\n",
                    "import com.cloudbees.plugins.credentials.CredentialsScope",
                    "import com.cloudbees.plugins.credentials.SystemCredentialsProvider",
                    "import com.cloudbees.plugins.credentials.SecretBytes",
                    "import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl",
                    "def creds = SystemCredentialsProvider.getInstance()",
                    "creds.credentials.add(new FileCredentialsImpl(CredentialsScope.GLOBAL, 'lab-kubeconfig', 'admin kubeconfig',",
                    "    'admin.conf', SecretBytes.fromBytes(Base64.decoder.decode('" + kubeconfig + "'))))",
                    "creds.save()"));
            jenkins.pipelineJob("workload", "deployWorkload(kubeconfigCredentialsId: 'lab-kubeconfig', namespace: 'default',"
                    + " manifestText: 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: lab-settings\\ndata:\\n  cni: flannel\\n')");
            KitJenkins.Build b = jenkins.build("workload", Duration.ofMinutes(5));
            assertEquals("SUCCESS", b.result(), b.console());
            assertTrue(b.console().contains("deployWorkload: "), b.console());
            assertEquals("flannel", api.admin().configMaps().inNamespace("default").withName("lab-settings").get().getData().get("cni"),
                    "the ConfigMap reached the API server through the plugin's fabric8 (the kit's 6.14)");
            assertFalse(b.console().contains(api.token()), "the kubeconfig's token is masked");
        }
    }

    @Test
    @Order(5)
    void jenkinsfileExampleIsValidDeclarativeForTheKitsJenkinsWithThePlugin() throws Exception {
        String example = Files.readString(Path.of("..", "Jenkinsfile.example"));
        // Declarative's own validator checks every stage, section, directive and parameter definition. The
        // steps' parameter names sit in script { } (a map built from the NODES choice), where the validator
        // does not look: JenkinsfileExampleVarsTest checks them against the step classes, and the lab runs it.
        assertEquals("Jenkinsfile successfully validated.", jenkins.validateDeclarative(example).trim());
        String typo = example.replace("choice(name: 'NODES'", "choice(nam: 'NODES'");
        assertNotEquals(example, typo, "the example defines the NODES choice");
        assertTrue(jenkins.validateDeclarative(typo).contains("nam"), "a wrong parameter definition is caught");
    }

    @Test
    @Order(6)
    void noJoinSecretIsAnywhereTheRunsWrote() throws Exception {
        assertFalse(secrets.isEmpty());
        assertEquals(List.of(), LeakSearch.filesContaining(jenkins.home(), secrets), "JENKINS_HOME holds a join secret");
        byte[] patterns = (String.join("\n", secrets) + "\n").getBytes(StandardCharsets.UTF_8);
        for (TestNode n : nodes.nodes()) {
            // Every file (agent workspaces and remoting caches included) but the control plane's root-only token store.
            Host.Result files = n.ssh("grep -rlsF -f - / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev; true", patterns);
            String hits = files.stdout().lines().filter(p -> !p.startsWith("/var/lib/etcd/")).reduce("", (a, c) -> a + c + "\n");
            assertEquals("", hits, n + ": files hold a join secret");
            assertEquals("0", n.ssh("journalctl --no-pager -o cat | grep -cF -f -; true", patterns).stdout().trim(),
                    n + ": the journal holds a join secret");
        }
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
