package io.jenkins.plugins.kubeadm.core.testnodes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands on this machine for the harness (argv only, never a shell line with values in it). */
public final class Host {

    public record Result(int exitStatus, String stdout, String stderr) {
        public boolean ok() {
            return exitStatus == 0;
        }
    }

    private Host() {
    }

    public static Result exec(List<String> argv, byte[] stdin, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(argv).start();
            Thread writer = new Thread(() -> {
                try (var in = p.getOutputStream()) {
                    if (stdin != null) {
                        in.write(stdin);
                    }
                } catch (IOException ignored) {
                    // process ended early; its status says why
                }
            });
            writer.start();
            var out = new java.io.ByteArrayOutputStream();
            var err = new java.io.ByteArrayOutputStream();
            Thread o = new Thread(() -> copy(p.getInputStream(), out));
            Thread e = new Thread(() -> copy(p.getErrorStream(), err));
            o.start();
            e.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + argv);
            }
            o.join();
            e.join();
            writer.join();
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException ex) {
            throw new IllegalStateException("cannot run " + argv + ": " + ex.getMessage(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + argv, ex);
        }
    }

    /** Runs and requires exit 0; returns stdout. */
    public static String run(String... argv) {
        Result r = exec(List.of(argv), null, 600);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", argv) + " failed with exit " + r.exitStatus() + ": " + r.stderr() + r.stdout());
        }
        return r.stdout();
    }

    /** Runs and ignores failure (clean-up of things that may already be gone). */
    public static Result attempt(String... argv) {
        return exec(List.of(argv), null, 120);
    }

    private static void copy(java.io.InputStream in, java.io.OutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // stream closed with the process
        }
    }
}
