package io.jenkins.plugins.kubeadm.logs;

import hudson.FilePath;
import hudson.Launcher;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.logs.ConsoleLineSink;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import jenkins.util.BuildListenerAdapter;

/**
 * The step logs of one build: {@code kubeadm-logs/<node>/<NN>-<step>.log}, numbered on across the
 * build's steps, written redacted into the build's folder and archived as build artifacts after
 * every step, also a failed one. The console gets the same lines, redacted by the same redactor.
 */
public final class BuildStepLogs implements AutoCloseable {

    /** Inside the build's folder; StepLogs adds kubeadm-logs/ below it. */
    static final String WORK_FOLDER = "kubeadm-pipeline";

    private final Run<?, ?> run;
    private final TaskListener listener;
    private final File folder;
    private final SecretRedactor redactor = new SecretRedactor();
    private final StepLogs stepLogs;
    private final ConsoleLineSink console;
    private final List<KubeadmSteps> nodeSteps = new CopyOnWriteArrayList<>();

    public BuildStepLogs(Run<?, ?> run, TaskListener listener) {
        this.run = run;
        this.listener = listener;
        this.folder = new File(run.getRootDir(), WORK_FOLDER);
        this.stepLogs = new StepLogs(folder.toPath(), redactor);
        this.console = new ConsoleLineSink(listener.getLogger(), redactor);
    }

    public SecretRedactor redactor() {
        return redactor;
    }

    public StepLogs stepLogs() {
        return stepLogs;
    }

    /** The node steps, each node's output in its step log and on the console. */
    public KubeadmSteps nodeSteps(Duration timeout, Cancellation cancellation) {
        KubeadmSteps steps = new KubeadmSteps(stepLogs, console, timeout, cancellation);
        nodeSteps.add(steps);
        return steps;
    }

    /** Lines to the console only (redacted). */
    public LineSink console() {
        return console;
    }

    /** Prints a line of the step's own (not a node's) to the console, redacted. */
    public void say(String text) {
        listener.getLogger().println(redactor.redact(text));
    }

    /** Closes open logs and archives every step log of the build so far. */
    @Override
    public void close() throws IOException, InterruptedException {
        for (KubeadmSteps steps : nodeSteps) {
            steps.close();
        }
        console.finish();
        Path root = stepLogs.root();
        if (!Files.isDirectory(root)) {
            return;
        }
        Map<String, String> artifacts = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                String relative = folder.toPath().relativize(f).toString().replace(File.separatorChar, '/');
                artifacts.put(relative, relative);
            });
        }
        // Steps in parallel branches archive the same build's logs; one at a time, so no copy is made over another.
        synchronized (ARCHIVE_LOCKS[Math.floorMod(folder.getAbsolutePath().hashCode(), ARCHIVE_LOCKS.length)]) {
            run.pickArtifactManager().archive(new FilePath(folder), new Launcher.LocalLauncher(listener),
                    new BuildListenerAdapter(listener), artifacts);
        }
    }

    private static final Object[] ARCHIVE_LOCKS = new Object[16];

    static {
        for (int i = 0; i < ARCHIVE_LOCKS.length; i++) {
            ARCHIVE_LOCKS[i] = new Object();
        }
    }
}
