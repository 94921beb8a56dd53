package io.jenkins.plugins.kubeadm.core.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs node scripts on this machine, through the same bootstrap the SSH runner uses. For the node
 * a Jenkins agent runs on, and for tests.
 */
public final class LocalScriptRunner extends BootstrapScriptRunner {

    private final String nodeName;

    public LocalScriptRunner(String nodeName) {
        this.nodeName = nodeName;
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    /** Collects and removes a run's result files with a second process; the payload never meets a LineSink. */
    @Override
    byte[] fetchResults(String resultId) throws IOException {
        Process process = new ProcessBuilder("bash", "-c", NodeBootstrap.FETCH_SCRIPT)
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
        Process process = new ProcessBuilder("bash", "-c", NodeBootstrap.SCRIPT).start();
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
