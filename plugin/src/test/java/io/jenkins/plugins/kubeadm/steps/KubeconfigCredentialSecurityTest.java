package io.jenkins.plugins.kubeadm.steps;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.cloudbees.plugins.credentials.Credentials;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SecretBytes;
import com.cloudbees.plugins.credentials.domains.Domain;
import com.sun.net.httpserver.HttpServer;
import hudson.model.Result;
import hudson.util.Secret;
import io.jenkins.plugins.kubeadm.security.KubeadmPipelineSettings;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.jvnet.hudson.test.JenkinsRule;

/**
 * A kubeconfig credential is read on the controller: one whose user would run a command (exec) or
 * read a file there is refused by name before anything runs, and an inline token still reaches the
 * API server (with the fabric8 the Jenkins kit's kubernetes-client-api plugin ships).
 */
public class KubeconfigCredentialSecurityTest {

    private static final String TOKEN = "kc-token-" + "0123456789abcdef";

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static String kubeconfig(String server, String user) {
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: lab\n  cluster:\n    server: " + server + "\n"
                + "users:\n- name: admin\n  user:\n" + user
                + "contexts:\n- name: lab\n  context:\n    cluster: lab\n    user: admin\n"
                + "current-context: lab\n";
    }

    private void add(Credentials credential) throws Exception {
        CredentialsProvider.lookupStores(j.jenkins).iterator().next().addCredentials(Domain.global(), credential);
    }

    @Before
    public void clusterStepsFromTheController() {
        // Outside a node block the controller reads the credential; BuildAccessTest shows the setting off.
        KubeadmPipelineSettings.get().setControllerClusterAccessAllowed(true);
    }

    private WorkflowRun run(String script, Result expected) throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return j.assertBuildStatus(expected, p.scheduleBuild2(0));
    }

    @Test
    public void aSecretFileKubeconfigWithExecFailsTheStepNamingExecAndItsCommandNeverRuns() throws Exception {
        Path marker = tmp.getRoot().toPath().resolve("marker");
        String text = kubeconfig("https://127.0.0.1:1", "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                + "      command: /bin/sh\n      args: [\"-c\", \"touch " + marker + "\"]\n");
        add(new FileCredentialsImpl(CredentialsScope.GLOBAL, "kc", "kubeconfig", "admin.conf",
                SecretBytes.fromBytes(text.getBytes(StandardCharsets.UTF_8))));
        WorkflowRun b = run("applyCni(kubeconfigCredentialsId: 'kc', cni: 'flannel')", Result.FAILURE);
        assertFalse("the kubeconfig's exec command ran on the controller", Files.exists(marker));
        j.assertLogContains("applyCni failed: kubeconfig content: users[admin].user.exec is not accepted: it would run a command"
                + " on the machine that reads the kubeconfig (the Jenkins controller)", b);
        j.assertLogNotContains("touch", b);
    }

    @Test
    public void insideANodeBlockTheAgentRefusesItTooAndTheCommandNeverRuns() throws Exception {
        KubeadmPipelineSettings.get().setControllerClusterAccessAllowed(false);
        j.waitOnline(j.createSlave("runner", "runner", null));
        Path marker = tmp.getRoot().toPath().resolve("marker-on-agent");
        String text = kubeconfig("https://127.0.0.1:1", "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                + "      command: /bin/sh\n      args: [\"-c\", \"touch " + marker + "\"]\n");
        add(new FileCredentialsImpl(CredentialsScope.GLOBAL, "kc", "kubeconfig", "admin.conf",
                SecretBytes.fromBytes(text.getBytes(StandardCharsets.UTF_8))));
        WorkflowRun b = run("node('runner') { applyCni(kubeconfigCredentialsId: 'kc', cni: 'flannel') }", Result.FAILURE);
        assertFalse("the kubeconfig's exec command ran on the agent", Files.exists(marker));
        j.assertLogContains("applyCni on the agent runner: kubeconfig content: users[admin].user.exec is not accepted", b);
    }

    @Test
    public void aSecretTextKubeconfigNamingAKeyFileFailsNamingTheField() throws Exception {
        add(new StringCredentialsImpl(CredentialsScope.GLOBAL, "kc", "kubeconfig", Secret.fromString(kubeconfig(
                "https://127.0.0.1:1", "    client-certificate-data: Zm9v\n    client-key: /etc/kubernetes/pki/" + TOKEN + ".key\n"))));
        WorkflowRun b = run("deployWorkload(kubeconfigCredentialsId: 'kc', manifestText: 'apiVersion: v1\\nkind: ConfigMap\\n"
                + "metadata:\\n  name: a\\n')", Result.FAILURE);
        j.assertLogContains("users[admin].user.client-key is not accepted: it names a file", b);
        j.assertLogNotContains(TOKEN, b);
    }

    @Test
    public void anInlineTokenStillReachesTheApiServer() throws Exception {
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403,"
                    + "\"message\":\"stand-in says no\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(403, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            String text = kubeconfig("http://127.0.0.1:" + server.getAddress().getPort(), "    token: " + TOKEN + "\n");
            add(new FileCredentialsImpl(CredentialsScope.GLOBAL, "kc", "kubeconfig", "admin.conf",
                    SecretBytes.fromBytes(text.getBytes(StandardCharsets.UTF_8))));
            WorkflowRun b = run("applyCni(kubeconfigCredentialsId: 'kc', cni: 'flannel')", Result.FAILURE);
            j.assertLogNotContains("is not accepted", b);
            j.assertLogNotContains(TOKEN, b);
            assertTrue("requests with the kubeconfig's token: " + authorizations.size(), !authorizations.isEmpty()
                    && authorizations.stream().allMatch(("Bearer " + TOKEN)::equals));
        } finally {
            server.stop(0);
        }
    }
}
