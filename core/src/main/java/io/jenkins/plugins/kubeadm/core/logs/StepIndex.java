package io.jenkins.plugins.kubeadm.core.logs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code steps.tsv} beside the {@code kubeadm-logs} folder (not archived with the logs): one line per step log, written when the log closes, so a page or a
 * report can show which step ran on which node, how long it took and how it ended without reading
 * node output. Only names, times and outcomes go in it, never a line a node printed.
 */
public final class StepIndex {

    public static final String FILE = "steps.tsv";
    /** A run's index is read no further: far more steps than any cluster's build runs. */
    static final int MAX_LINES = 10_000;

    /** One step on one node; {@code log} is relative to the output folder, e.g. {@code kubeadm-logs/cp1/03-kubeadm-init.log}. */
    public record Entry(String node, String step, int sequence, StepLog.Outcome outcome, Instant started, Instant ended, String log) {

        public Duration duration() {
            return Duration.between(started, ended);
        }
    }

    private StepIndex() {
    }

    /** Appends the closed log's line; steps in parallel append whole lines (one write each, in append mode). */
    static void record(Path outputDir, StepLog log) {
        String line = String.join("\t", clean(log.node()), log.step(), Integer.toString(log.sequence()), log.outcome().name(),
                log.started().toString(), Instant.now().toString(), outputDir.relativize(log.file()).toString().replace('\\', '/')) + "\n";
        synchronized (StepIndex.class) {
            try {
                Files.writeString(outputDir.resolve(FILE), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record the " + log.step() + " step of " + log.node() + " in " + FILE, e);
            }
        }
    }

    /** The steps recorded in an output folder (the one holding {@code kubeadm-logs}), in the order they ended; empty when none. */
    public static List<Entry> read(Path outputDir) throws IOException {
        Path file = outputDir.resolve(FILE);
        List<Entry> entries = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return entries;
        }
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines.limit(MAX_LINES)::iterator) {
                String[] f = line.split("\t", -1);
                if (f.length != 7) {
                    continue;
                }
                try {
                    entries.add(new Entry(f[0], f[1], Integer.parseInt(f[2]), StepLog.Outcome.valueOf(f[3]), Instant.parse(f[4]),
                            Instant.parse(f[5]), f[6]));
                } catch (RuntimeException e) {
                    // a line cut short by a crash: the others still count
                }
            }
        }
        return entries;
    }

    private static String clean(String value) {
        return value.replaceAll("[\\t\\r\\n]", " ");
    }
}
