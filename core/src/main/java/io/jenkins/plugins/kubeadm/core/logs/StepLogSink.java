package io.jenkins.plugins.kubeadm.core.logs;

import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.secrets.RedactingLineSink;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link LineSink} that writes each node's lines to the log of the step that node is running
 * and tees them to a console sink, both redacted. Thread-safe: nodes run their steps in parallel.
 *
 * <p>Call {@link #beginStep} before running a step on a node, then {@link #succeedStep} or
 * {@link #failStep}. Lines from a node with no step begun go to an implicit "output" step, so
 * nothing a node prints is lost.
 */
public final class StepLogSink implements LineSink, Closeable {

    /** The step lines go to when a node prints outside any step. */
    public static final String IMPLICIT_STEP = "output";

    private final StepLogs logs;
    private final LineSink console;
    private final ConcurrentMap<String, StepLog> current = new ConcurrentHashMap<>();

    /** @param console where lines are echoed (e.g. the build console), redacted here; {@link LineSink#NONE} for none */
    public StepLogSink(StepLogs logs, LineSink console) {
        this.logs = Objects.requireNonNull(logs, "logs");
        this.console = new RedactingLineSink(Objects.requireNonNull(console, "console"), logs.redactor());
    }

    /**
     * Opens the next step log of a node and makes it the one the node's lines go to. A previous
     * step of the node still open is closed as it stands (its outcome left unrecorded).
     */
    public StepLog beginStep(String node, String step) {
        StepLog log = logs.open(node, step);
        StepLog previous = current.put(node, log);
        if (previous != null) {
            previous.close();
        }
        return log;
    }

    /** The step log a node's lines go to now, if any. */
    public Optional<StepLog> currentStep(String node) {
        return Optional.ofNullable(current.get(node));
    }

    @Override
    public void line(String node, Stream stream, String text) {
        for (int attempt = 0; attempt < 3; attempt++) {
            StepLog log = current.computeIfAbsent(node, n -> logs.open(n, IMPLICIT_STEP));
            if (log.lineIfOpen(text)) {
                break;
            }
            // The step ended between lookup and write: a late line goes to whatever comes next.
            current.remove(node, log);
        }
        console.line(node, stream, text);
    }

    /** Records success of the node's current step and closes its log. */
    public void succeedStep(String node) {
        StepLog log = current.remove(node);
        if (log != null && !log.isClosed()) {
            log.succeed();
        }
    }

    /**
     * Records the failure of the node's current step, appends the diagnostics and closes its log. A
     * node with no step open gets one named {@link #IMPLICIT_STEP}, so the failure is never lost.
     */
    public void failStep(String node, String reason, String diagnostics) {
        StepLog log = current.remove(node);
        if (log == null || log.isClosed()) {
            log = logs.open(node, IMPLICIT_STEP);
        }
        log.fail(reason, diagnostics);
    }

    /** Closes every open step log; their outcomes stay unrecorded. */
    @Override
    public void close() {
        List<StepLog> open = new ArrayList<>(current.values());
        current.clear();
        for (StepLog log : open) {
            log.close();
        }
    }
}
