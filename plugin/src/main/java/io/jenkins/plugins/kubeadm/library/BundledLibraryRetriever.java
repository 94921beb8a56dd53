package io.jenkins.plugins.kubeadm.library;

import hudson.AbortException;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.jenkinsci.plugins.workflow.libs.LibraryRetriever;
import org.jenkinsci.plugins.workflow.libs.LibraryRetrieverDescriptor;

/** Copies the library packaged in the plugin (classpath folder {@value #FOLDER}) into the build's library checkout. */
public final class BundledLibraryRetriever extends LibraryRetriever {

    /** Where the build puts vars/ and resources/ inside the plugin's jar. */
    static final String FOLDER = "io/jenkins/plugins/kubeadm/bundled-library/";

    @Override
    public void retrieve(String name, String version, boolean changelog, FilePath target, Run<?, ?> run, TaskListener listener)
            throws Exception {
        retrieve(name, version, target, run, listener);
    }

    @Override
    public void retrieve(String name, String version, FilePath target, Run<?, ?> run, TaskListener listener) throws Exception {
        URL folder = BundledLibraryRetriever.class.getClassLoader().getResource(FOLDER);
        if (folder == null) {
            throw new AbortException("the kubeadm-pipeline plugin has no bundled library (" + FOLDER + " is missing from its jar)");
        }
        List<String> files = listFiles(folder);
        listener.getLogger().println("kubeadm-pipeline: the library bundled in the plugin, " + files.size() + " files from " + folder);
        for (String file : files) {
            FilePath destination = target.child(file);
            destination.getParent().mkdirs();
            try (InputStream in = BundledLibraryRetriever.class.getClassLoader().getResourceAsStream(FOLDER + file)) {
                if (in == null) {
                    throw new IOException("cannot read " + FOLDER + file + " from the plugin");
                }
                destination.copyFrom(in);
            }
        }
    }

    /** Paths below the library folder, from a jar (the installed plugin) or a folder (tests). */
    static List<String> listFiles(URL folder) throws IOException, URISyntaxException {
        List<String> files = new ArrayList<>();
        if ("jar".equals(folder.getProtocol())) {
            JarURLConnection connection = (JarURLConnection) folder.openConnection();
            connection.setUseCaches(false);
            try (JarFile jar = connection.getJarFile()) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    JarEntry entry = entries.nextElement();
                    if (!entry.isDirectory() && entry.getName().startsWith(FOLDER)) {
                        files.add(entry.getName().substring(FOLDER.length()));
                    }
                }
            }
        } else {
            Path root = Path.of(folder.toURI());
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isRegularFile).forEach(p -> files.add(root.relativize(p).toString().replace('\\', '/')));
            }
        }
        files.sort(null);
        return files;
    }

    @Extension
    public static final class DescriptorImpl extends LibraryRetrieverDescriptor {
        @Override
        public String getDisplayName() {
            return "Bundled with the kubeadm-pipeline plugin";
        }
    }
}
