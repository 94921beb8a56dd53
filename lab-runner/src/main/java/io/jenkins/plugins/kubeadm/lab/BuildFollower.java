package io.jenkins.plugins.kubeadm.lab;

import io.jenkins.plugins.kubeadm.kit.KitJenkins;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows a Pipeline build through its console (Jenkins' progressive text), as a person watching it
 * would: one line per stage when it ends (with its time, or why it was skipped), a progress line while
 * a stage takes long, and the build's result at the end.
 */
final class BuildFollower {

    /** Declarative prints these around each stage; the lab has no parallel branches. */
    static final Pattern STAGE_START = Pattern.compile("\\[Pipeline] \\{ \\((.+)\\)$");
    static final Pattern STAGE_END = Pattern.compile("\\[Pipeline] // stage$");
    static final Pattern STAGE_SKIPPED = Pattern.compile("Stage \"(.+)\" skipped due to (.+)$");
    /** Why a build failed, as its console says: step errors, and Groovy's compilation errors (before any stage). */
    static final Pattern FAILURE_REASON = Pattern.compile("^(ERROR: |WorkflowScript: |Also: )");
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(20);

    /** The build's result and, when it failed, the console lines that say why (the last few). */
    record Outcome(String result, java.util.List<String> reasons) {
    }

    /** The console's lines, fed in order; says what the person should see. */
    static final class StageTracker {
        private final Consumer<String> say;
        private String stage;
        private long stageStarted;
        private String skippedBecause;
        private boolean sawError;
        private String lastError;
        private final java.util.Deque<String> reasons = new java.util.ArrayDeque<>();
        private long lastSaid = System.nanoTime();

        StageTracker(Consumer<String> say) {
            this.say = say;
        }

        void line(String line, long nowNanos) {
            if (FAILURE_REASON.matcher(line).find()) {
                reasons.addLast(line);
                if (reasons.size() > 5) {
                    reasons.removeFirst();
                }
            }
            Matcher start = STAGE_START.matcher(line);
            Matcher skipped = STAGE_SKIPPED.matcher(line);
            if (start.find()) {
                stage = start.group(1);
                stageStarted = nowNanos;
                skippedBecause = null;
                sawError = false;
            } else if (skipped.find()) {
                skippedBecause = skipped.group(2);
            } else if (line.startsWith("ERROR: ")) {
                sawError = true;
                lastError = line.substring("ERROR: ".length());
            } else if (STAGE_END.matcher(line).find() && stage != null) {
                long seconds = Math.round((nowNanos - stageStarted) / 1e9);
                if (skippedBecause != null) {
                    say("  stage " + stage + ": skipped (" + skippedBecause + ")", nowNanos);
                } else if (sawError) {
                    say("  stage " + stage + ": FAILED after " + seconds + " s: " + lastError, nowNanos);
                } else {
                    say("  stage " + stage + ": done in " + seconds + " s", nowNanos);
                }
                stage = null;
            }
        }

        /** While nothing else was said for a while: which stage still runs, and for how long. */
        void tick(long nowNanos) {
            if (nowNanos - lastSaid >= PROGRESS_EVERY.toNanos()) {
                say(stage == null ? "  ... the build is running" : "  ... stage " + stage + " still running ("
                        + Math.round((nowNanos - stageStarted) / 1e9) + " s)", nowNanos);
            }
        }

        java.util.List<String> reasons() {
            return java.util.List.copyOf(reasons);
        }

        private void say(String text, long nowNanos) {
            say.accept(text);
            lastSaid = nowNanos;
        }
    }

    private BuildFollower() {
    }

    /** Follows the build until it ends (or {@code timeout} passes). */
    static Outcome follow(KitJenkins jenkins, String job, int number, Duration timeout, Consumer<String> say)
            throws IOException, InterruptedException {
        StageTracker tracker = new StageTracker(say);
        String build = "job/" + job + "/" + number + "/";
        long offset = 0;
        StringBuilder partial = new StringBuilder();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            HttpResponse<String> chunk = jenkins.get(build + "logText/progressiveText?start=" + offset);
            if (chunk.statusCode() != 200) {
                throw new IOException("Jenkins answered " + chunk.statusCode() + " for " + build + "logText/progressiveText");
            }
            offset = chunk.headers().firstValueAsLong("X-Text-Size").orElse(offset);
            partial.append(chunk.body());
            int newline;
            while ((newline = partial.indexOf("\n")) >= 0) {
                tracker.line(partial.substring(0, newline).stripTrailing(), System.nanoTime());
                partial.delete(0, newline + 1);
            }
            if (chunk.headers().firstValue("X-More-Data").isEmpty()) {
                if (partial.length() > 0) {
                    tracker.line(partial.toString().stripTrailing(), System.nanoTime());
                }
                return new Outcome(result(jenkins, build), tracker.reasons());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(job + " #" + number + " did not finish within " + timeout.toMinutes() + " minutes");
            }
            tracker.tick(System.nanoTime());
            Thread.sleep(2000);
        }
    }

    private static String result(KitJenkins jenkins, String build) throws IOException, InterruptedException {
        for (int i = 0; i < 30; i++) {
            String state = jenkins.get(build + "api/json?tree=building,result").body();
            Matcher result = Pattern.compile("\"result\":\"([A-Z_]+)\"").matcher(state);
            if (!state.contains("\"building\":true") && result.find()) {
                return result.group(1);
            }
            Thread.sleep(1000);
        }
        throw new IOException(build + " has no result 30 s after its console ended");
    }
}
