package io.jenkins.plugins.kubeadm.core.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs node scripts on this machine, through the same bootstrap the SSH runner uses. For the node
 * a Jenkins agent runs on, and for tests. Scripts run as root: as this process when it is root,
 * otherwise through {@code sudo -n}, which must be allowed without a password.
 */
public final class LocalScriptRunner extends BootstrapScriptRunner {

    private final String nodeName;
    private final boolean sudo;

    /** Runs scripts as this process's user (tests, or a process that is root). */
    public LocalScriptRunner(String nodeName) {
        this(nodeName, false);
    }

    private LocalScriptRunner(String nodeName, boolean sudo) {
        this.nodeName = nodeName;
        this.sudo = sudo;
    }

    /**
     * A runner whose scripts run as root: directly when this process is root, else through
     * {@code sudo -n}, checked here so a user without passwordless sudo gets a clear error instead
     * of a step that fails half-way.
     *
     * @throws IOException naming the user and what to change when sudo may not be used
     */
    public static LocalScriptRunner asRoot(String nodeName) throws IOException {
        String user = System.getProperty("user.name");
        if (isRoot()) {
            return new LocalScriptRunner(nodeName, false);
        }
        Process check = new ProcessBuilder("sudo", "-n", "true").redirectErrorStream(true).start();
        String said;
        try (InputStream in = check.getInputStream()) {
            said = new String(in.readNBytes(2000), StandardCharsets.UTF_8).trim();
        }
        try {
            if (!check.waitFor(30, TimeUnit.SECONDS)) {
                check.destroyForcibly();
                said = "sudo -n true did not answer within 30 s";
            } else if (check.exitValue() == 0) {
                return new LocalScriptRunner(nodeName, true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            check.destroyForcibly();
            throw new IOException("interrupted while checking sudo on " + nodeName, e);
        }
        throw new IOException("node " + nodeName + ": the agent runs as user '" + user + "', which may not run commands as root"
                + " with 'sudo -n' (" + (said.isEmpty() ? "no reason given" : said) + "). The steps need root: allow this user"
                + " passwordless sudo (for example '" + user + " ALL=(ALL) NOPASSWD:ALL' in /etc/sudoers.d/) or run the agent as root.");
    }

    /** Whether this process runs as root (uid 0). */
    static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[1].equals("0");
            }
        }
        throw new IOException("cannot tell this process's user id from /proc/self/status");
    }

    private ProcessBuilder bash(String script) {
        return sudo ? new ProcessBuilder("sudo", "-n", "-H", "bash", "-c", script) : new ProcessBuilder("bash", "-c", script);
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    /** Collects and removes a run's result files with a second process; the payload never meets a LineSink. */
    @Override
    byte[] fetchResults(String resultId) throws IOException {
        Process process = bash(NodeBootstrap.FETCH_SCRIPT)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write((resultId + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        ResultFiles.BoundedBuffer out = new ResultFiles.BoundedBuffer();
        try (InputStream in = process.getInputStream()) {
            in.transferTo(out);
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("collecting the step's result files timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while collecting the step's result files", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("could not collect the step's result files (exit " + process.exitValue() + ")");
        }
        return out.toByteArray();
    }

    @Override
    ExecResult execute(StepRequest request, String resultId, LineSink sink, Duration timeout, Cancellation cancellation)
            throws IOException {
        long start = System.nanoTime();
        Process process = bash(NodeBootstrap.SCRIPT).start();
        Thread out = pump(process.getInputStream(), new LineSplitter(nodeName, LineSink.Stream.STDOUT, sink));
        Thread err = pump(process.getErrorStream(), new LineSplitter(nodeName, LineSink.Stream.STDERR, sink));
        OutputStream stdin = process.getOutputStream();
        // Closing standard input is how the bootstrap learns to stop the step.
        Runnable stop = () -> closeQuietly(stdin);
        cancellation.onCancel(stop);
        try {
            stdin.write(StagingArchive.build(request, resultId));
            stdin.flush();
        } catch (IOException e) {
            // The bootstrap failed before reading everything; its exit status tells why.
        }
        ExecResult.Outcome outcome = ExecResult.Outcome.COMPLETED;
        try {
            long deadline = start + timeout.toNanos();
            while (!process.waitFor(100, TimeUnit.MILLISECONDS)) {
                if (cancellation.isCancelled() || System.nanoTime() > deadline) {
                    outcome = cancellation.isCancelled() ? ExecResult.Outcome.CANCELLED : ExecResult.Outcome.TIMED_OUT;
                    stop.run();
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                    break;
                }
            }
            process.waitFor();
            if (cancellation.isCancelled()) {
                outcome = ExecResult.Outcome.CANCELLED;
            }
            out.join();
            err.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.run();
            process.destroyForcibly();
            outcome = ExecResult.Outcome.CANCELLED;
        } finally {
            cancellation.remove(stop);
            closeQuietly(stdin);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        int status = outcome == ExecResult.Outcome.COMPLETED ? process.exitValue() : -1;
        return new ExecResult(status, outcome, elapsed);
    }

    private Thread pump(InputStream in, LineSplitter splitter) {
        Thread t = new Thread(() -> {
            try (in; splitter) {
                in.transferTo(splitter);
            } catch (IOException ignored) {
                // the process went away; what it wrote has been delivered
            }
        }, "node-output-" + nodeName);
        t.setDaemon(true);
        t.start();
        return t;
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
