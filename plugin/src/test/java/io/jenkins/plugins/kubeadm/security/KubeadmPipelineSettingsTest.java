package io.jenkins.plugins.kubeadm.security;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import hudson.model.Item;
import jenkins.model.Jenkins;
import org.htmlunit.html.HtmlForm;
import org.htmlunit.html.HtmlPage;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;

/** The administrator's settings: off on a new instance, kept through the System page, for administrators only. */
public class KubeadmPipelineSettingsTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    @Test
    public void everySettingIsOffOnANewInstance() {
        KubeadmPipelineSettings s = KubeadmPipelineSettings.get();
        assertFalse(s.isBuiltInNodeAllowed());
        assertFalse(s.isControllerSshAllowed());
        assertFalse(s.isAcceptAnyHostKeyAllowed());
        assertFalse(s.isControllerClusterAccessAllowed());
        assertFalse(s.isGlobalJoinCredentialsAllowed());
    }

    @Test
    public void theSystemPageShowsAndKeepsThemAndTheyAreSavedToDisk() throws Exception {
        KubeadmPipelineSettings s = KubeadmPipelineSettings.get();
        s.setControllerSshAllowed(true);
        s.setGlobalJoinCredentialsAllowed(true);
        HtmlPage page = j.createWebClient().goTo("manage/configure");
        assertTrue(page.asNormalizedText().contains("Allow the controller to reach inventory nodes over SSH"));
        HtmlForm form = page.getFormByName("config");
        j.submit(form);
        assertTrue(s.isControllerSshAllowed());
        assertTrue(s.isGlobalJoinCredentialsAllowed());
        assertFalse(s.isAcceptAnyHostKeyAllowed());
        KubeadmPipelineSettings fromDisk = new KubeadmPipelineSettings();
        assertTrue(fromDisk.isControllerSshAllowed());
        assertTrue(fromDisk.isGlobalJoinCredentialsAllowed());
        assertFalse(fromDisk.isBuiltInNodeAllowed());
    }

    @Test
    public void onlyAnAdministratorReachesThem() throws Exception {
        j.jenkins.setSecurityRealm(j.createDummySecurityRealm());
        j.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy()
                .grant(Jenkins.ADMINISTER).everywhere().to("admin")
                .grant(Jenkins.READ, Item.READ, Item.CONFIGURE, Item.BUILD).everywhere().to("dev"));
        JenkinsRule.WebClient dev = j.createWebClient().withThrowExceptionOnFailingStatusCode(false);
        assertEquals(403, dev.login("dev").goTo("manage/configure").getWebResponse().getStatusCode());
        JenkinsRule.WebClient admin = j.createWebClient();
        assertTrue(admin.login("admin").goTo("manage/configure").asNormalizedText().contains("Allow acceptAnyHostKey"));
    }
}
