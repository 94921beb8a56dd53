package io.jenkins.plugins.kubeadm.steps;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.cloudbees.jenkins.plugins.sshcredentials.impl.BasicSSHUserPrivateKey;
import com.cloudbees.plugins.credentials.Credentials;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SecretBytes;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import hudson.model.Item;
import hudson.model.User;
import hudson.util.Secret;
import io.jenkins.plugins.kubeadm.credentials.JoinCommandSecret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jenkins.model.Jenkins;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;
import org.htmlunit.HttpMethod;
import org.htmlunit.WebRequest;
import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;

/**
 * KubeadmStep's descriptor: each credential field offers the credentials of its kind, through Jenkins'
 * own form URLs, and a user who may not configure the job learns no credential id from them. The
 * shared inventory fields render in every step's form.
 */
public class CredentialPickersTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    private WorkflowJob job;

    @Before
    public void credentialsOfEveryKindAndTwoUsers() throws Exception {
        add(new BasicSSHUserPrivateKey(CredentialsScope.GLOBAL, "nodes-ssh", "root",
                new BasicSSHUserPrivateKey.DirectEntryPrivateKeySource("not a real key"), null, "nodes"));
        add(new FileCredentialsImpl(CredentialsScope.GLOBAL, "known-hosts", "host keys", "known_hosts",
                SecretBytes.fromBytes("cp1 ssh-ed25519 AAAA\n".getBytes(StandardCharsets.UTF_8))));
        add(new StringCredentialsImpl(CredentialsScope.GLOBAL, "admin-kubeconfig-text", "kubeconfig", Secret.fromString("apiVersion: v1")));
        add(new JoinCommandSecret(CredentialsScope.GLOBAL, "lab-join", "join", Secret.fromString("kubeadm join 10.0.0.1:6443")));
        job = j.createProject(WorkflowJob.class, "lab");
        j.jenkins.setSecurityRealm(j.createDummySecurityRealm());
        MockAuthorizationStrategy strategy = new MockAuthorizationStrategy();
        strategy.grant(Jenkins.ADMINISTER).everywhere().to("admin");
        strategy.grant(Jenkins.READ, Item.READ, Item.CONFIGURE, Item.EXTENDED_READ).everywhere().to("dev");
        strategy.grant(Jenkins.READ, Item.READ).everywhere().to("viewer");
        j.jenkins.setAuthorizationStrategy(strategy);
    }

    private static void add(Credentials credentials) throws Exception {
        SystemCredentialsProvider.getInstance().getCredentials().add(credentials);
        SystemCredentialsProvider.getInstance().save();
    }

    private List<String> offered(String user, Class<?> step, String field) throws Exception {
        JenkinsRule.WebClient web = j.createWebClient().login(user);
        String url = job.getUrl() + "descriptorByName/" + step.getName() + "/fill" + Character.toUpperCase(field.charAt(0))
                + field.substring(1) + "Items?" + field + "=current-value";
        JSONArray values = JSONObject.fromObject(web.goTo(url, "application/json").getWebResponse().getContentAsString())
                .getJSONArray("values");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            ids.add(values.getJSONObject(i).getString("value"));
        }
        Collections.sort(ids); // the empty choice first; the field's current value is kept whether or not it is offered
        return ids;
    }

    @Test
    public void eachFieldOffersTheCredentialsOfItsKind() throws Exception {
        for (Class<?> step : List.of(ResetNodeStep.class, KubeadmInitStep.class, ApplyCniStep.class)) {
            assertEquals(step.getSimpleName(), List.of("", "current-value", "nodes-ssh"), offered("dev", step, "sshCredentialsId"));
            assertEquals(step.getSimpleName(), List.of("", "current-value", "known-hosts"), offered("dev", step, "knownHostsCredentialsId"));
        }
        // A kubeconfig is a secret file or text, never a join command; a join command only where one is asked for.
        assertEquals(List.of("", "admin-kubeconfig-text", "current-value", "known-hosts"),
                offered("dev", ApplyCniStep.class, "kubeconfigCredentialsId"));
        assertEquals(List.of("", "current-value", "lab-join"), offered("dev", KubeadmInitStep.class, "joinCredentialsId"));
        assertEquals(List.of("", "current-value", "lab-join"), offered("dev", JoinWorkersStep.class, "joinCredentialsId"));
    }

    @Test
    public void aUserWhoMayNotConfigureTheJobSeesOnlyTheValueAlreadyThere() throws Exception {
        assertTrue(!job.getACL().hasPermission2(User.getById("viewer", true).impersonate2(), CredentialsProvider.USE_ITEM));
        for (String field : List.of("sshCredentialsId", "knownHostsCredentialsId", "kubeconfigCredentialsId", "joinCredentialsId")) {
            assertEquals(field, List.of("current-value"), offered("viewer", ApplyCniStep.class, field));
        }
    }

    /** The inventory fields come from one fragment (KubeadmStep/inventory-fields.jelly) into every step's form. */
    @Test
    public void theSharedInventoryFieldsRenderInEveryStepsForm() throws Exception {
        JenkinsRule.WebClient web = j.createWebClient().login("admin");
        String page = web.goTo(job.getUrl() + "pipeline-syntax/").getWebResponse().getContentAsString();
        for (Class<?> step : StepDocumentationTest.STEPS) {
            String form = renderedForm(web, page, step);
            for (String field : List.of("inventory", "inventoryFile", "sshCredentialsId", "knownHostsFile", "knownHostsCredentialsId",
                    "acceptAnyHostKey")) {
                assertTrue(step.getSimpleName() + " renders " + field + ":\n" + form, form.contains("name=\"_." + field + "\""));
            }
            assertTrue(step.getSimpleName() + " renders the SSH credential picker", form.contains(step.getName() + "/fillSshCredentialsIdItems"));
        }
    }

    /**
     * A step's form as the Snippet Generator shows it once the step is chosen: the page holds a
     * render-on-demand stub before each step's class, whose bound URL the page's script calls.
     */
    private static String renderedForm(JenkinsRule.WebClient web, String page, Class<?> step) throws Exception {
        int at = page.indexOf("value=\"" + step.getName() + "\"");
        assertTrue(step.getSimpleName() + " is offered by the Snippet Generator", at > 0);
        Matcher stub = Pattern.compile("data-proxy-url=\"([^\"]+)\" data-proxy-crumb=\"([^\"]*)\"").matcher(page.substring(0, at));
        String bound = null;
        String crumb = null;
        while (stub.find()) {
            bound = stub.group(1);
            crumb = stub.group(2);
        }
        assertTrue(bound != null);
        WebRequest render = new WebRequest(web.createCrumbedUrl(bound.replaceFirst("^/jenkins/", "") + "/render"), HttpMethod.POST);
        render.setAdditionalHeader("Content-Type", "application/x-stapler-method-invocation;charset=UTF-8");
        render.setAdditionalHeader("Crumb", crumb);
        render.setRequestBody("[]");
        return web.loadWebResponse(render).getContentAsString(); // as text: the page's scripts are not run here
    }
}
