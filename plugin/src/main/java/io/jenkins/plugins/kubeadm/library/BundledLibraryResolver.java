package io.jenkins.plugins.kubeadm.library;

import hudson.Extension;
import hudson.PluginWrapper;
import hudson.model.Job;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.workflow.libs.LibraryConfiguration;
import org.jenkinsci.plugins.workflow.libs.LibraryResolver;

/**
 * Makes the library bundled in this plugin (the repository's vars/ and resources/) available to every
 * Pipeline, implicitly and trusted, at the plugin's own version: a Jenkinsfile uses the steps with no
 * library configured and no {@code @Library} line.
 */
@Extension
public final class BundledLibraryResolver extends LibraryResolver {

    /** The name a Jenkinsfile may use to pin it explicitly: {@code @Library('kubeadm-pipeline')}. */
    public static final String LIBRARY_NAME = "kubeadm-pipeline";

    @Override
    public boolean isTrusted() {
        return true;
    }

    @Override
    public Collection<LibraryConfiguration> forJob(Job<?, ?> job, Map<String, String> libraryVersions) {
        LibraryConfiguration library = new LibraryConfiguration(LIBRARY_NAME, new BundledLibraryRetriever());
        library.setImplicit(true);
        library.setDefaultVersion(pluginVersion());
        library.setAllowVersionOverride(false);
        return List.of(library);
    }

    static String pluginVersion() {
        PluginWrapper plugin = Jenkins.get().getPluginManager().whichPlugin(BundledLibraryResolver.class);
        return plugin == null ? "bundled" : plugin.getVersion();
    }
}
