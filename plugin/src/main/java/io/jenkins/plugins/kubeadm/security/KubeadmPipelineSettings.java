package io.jenkins.plugins.kubeadm.security;

import hudson.Extension;
import hudson.ExtensionList;
import jenkins.model.GlobalConfiguration;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * What only a Jenkins administrator may allow (Manage Jenkins &gt; System, or JCasC under
 * {@code unclassified: kubeadmPipeline:}); each is off by default. A Jenkinsfile author cannot
 * turn any of them on, and a step that needs one fails naming it before any node is touched.
 */
@Extension
@Symbol("kubeadmPipeline")
public class KubeadmPipelineSettings extends GlobalConfiguration {

    /** How the settings are named in refusals: the page's section and the field's title. */
    static final String WHERE = "Manage Jenkins > System > kubeadm-pipeline";

    private boolean builtInNodeAllowed;
    private boolean controllerSshAllowed;
    private boolean acceptAnyHostKeyAllowed;
    private boolean controllerClusterAccessAllowed;
    private boolean globalJoinCredentialsAllowed;

    @DataBoundConstructor
    public KubeadmPipelineSettings() {
        load();
    }

    public static KubeadmPipelineSettings get() {
        return ExtensionList.lookupSingleton(KubeadmPipelineSettings.class);
    }

    public boolean isBuiltInNodeAllowed() {
        return builtInNodeAllowed;
    }

    /** Node steps may run as root on the built-in node, the controller's own machine. */
    @DataBoundSetter
    public void setBuiltInNodeAllowed(boolean builtInNodeAllowed) {
        this.builtInNodeAllowed = builtInNodeAllowed;
        save();
    }

    public boolean isControllerSshAllowed() {
        return controllerSshAllowed;
    }

    /** The controller may be the SSH client of an inventory's nodes (steps outside node { } or in the built-in node's). */
    @DataBoundSetter
    public void setControllerSshAllowed(boolean controllerSshAllowed) {
        this.controllerSshAllowed = controllerSshAllowed;
        save();
    }

    public boolean isAcceptAnyHostKeyAllowed() {
        return acceptAnyHostKeyAllowed;
    }

    /** Steps may skip the inventory nodes' host key check (acceptAnyHostKey: true). */
    @DataBoundSetter
    public void setAcceptAnyHostKeyAllowed(boolean acceptAnyHostKeyAllowed) {
        this.acceptAnyHostKeyAllowed = acceptAnyHostKeyAllowed;
        save();
    }

    public boolean isControllerClusterAccessAllowed() {
        return controllerClusterAccessAllowed;
    }

    /**
     * Cluster steps may work from the controller (with a kubeconfig credential or an inventory): it
     * then connects to the API server they name and downloads the add-on manifests.
     */
    @DataBoundSetter
    public void setControllerClusterAccessAllowed(boolean controllerClusterAccessAllowed) {
        this.controllerClusterAccessAllowed = controllerClusterAccessAllowed;
        save();
    }

    public boolean isGlobalJoinCredentialsAllowed() {
        return globalJoinCredentialsAllowed;
    }

    /** kubeadmInit in a job outside any folder may keep the join command in the global credentials store. */
    @DataBoundSetter
    public void setGlobalJoinCredentialsAllowed(boolean globalJoinCredentialsAllowed) {
        this.globalJoinCredentialsAllowed = globalJoinCredentialsAllowed;
        save();
    }

    /** The refusal a step gives when a setting it needs is off. */
    static String refusal(String what, String settingTitle) {
        return what + " is not allowed on this Jenkins: an administrator turns it on in " + WHERE + " ('" + settingTitle + "')";
    }

    static final String BUILT_IN_NODE = "Allow node steps on the built-in node";
    static final String CONTROLLER_SSH = "Allow the controller to reach inventory nodes over SSH";
    static final String ACCEPT_ANY_HOST_KEY = "Allow acceptAnyHostKey";
    static final String CONTROLLER_CLUSTER_ACCESS = "Allow cluster steps to work from the controller";
    static final String GLOBAL_JOIN_CREDENTIALS = "Allow top-level jobs to keep the join command in the global credentials store";
}
