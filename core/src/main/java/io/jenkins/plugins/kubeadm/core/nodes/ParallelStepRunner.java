package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** Runs one step on many nodes at once and collects each node's result; one node's failure stops no other. */
public final class ParallelStepRunner {

    private ParallelStepRunner() {
    }

    /**
     * @param requestFor the request for each node (nodes may get different environments, e.g. roles)
     * @return results in the order of {@code runners}
     */
    public static List<NodeStepResult> run(List<? extends ScriptRunner> runners, Function<String, StepRequest> requestFor,
                                           LineSink sink, Duration timeout, Cancellation cancellation) {
        return run(runners, requestFor, sink, timeout, cancellation, UnaryOperator.identity());
    }

    /**
     * As above, with every line passed through {@code redact} first: the last error line ends up in
     * exception messages, so it must be masked before it is kept, not only when a log writes it.
     */
    public static List<NodeStepResult> run(List<? extends ScriptRunner> runners, Function<String, StepRequest> requestFor,
                                           LineSink sink, Duration timeout, Cancellation cancellation, UnaryOperator<String> redact) {
        Map<String, String> lastErrorLine = new ConcurrentHashMap<>();
        LineSink tracking = (node, stream, raw) -> {
            String text = redact.apply(raw);
            if (stream == LineSink.Stream.STDERR && text.startsWith("ERROR: ")) {
                lastErrorLine.put(node, text);
            }
            sink.line(node, stream, text);
        };
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, runners.size()), r -> {
            Thread t = new Thread(r, "node-step");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<ExecResult>> futures = new LinkedHashMap<>();
            for (ScriptRunner runner : runners) {
                StepRequest request = requestFor.apply(runner.nodeName());
                futures.put(runner.nodeName(), pool.submit(() -> runner.run(request, tracking, timeout, cancellation)));
            }
            List<NodeStepResult> results = new ArrayList<>();
            for (var entry : futures.entrySet()) {
                String node = entry.getKey();
                try {
                    ExecResult r = entry.getValue().get();
                    results.add(new NodeStepResult(node, r, null, lastErrorLine.get(node)));
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    String why = cause instanceof IOException ? cause.getMessage() : cause.toString();
                    results.add(new NodeStepResult(node, null, why, null));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancellation.cancel();
                    results.add(new NodeStepResult(node, null, "interrupted", null));
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Throws {@link StepFailedException} listing every node that failed. */
    public static void requireSuccess(String step, List<NodeStepResult> results) {
        List<NodeStepResult> failed = results.stream().filter(r -> !r.succeeded()).toList();
        if (!failed.isEmpty()) {
            throw new StepFailedException(step, failed);
        }
    }

    /** A step failed on one or more nodes; the message lists each with its reason. */
    public static final class StepFailedException extends RuntimeException {
        private final List<NodeStepResult> failed;

        StepFailedException(String step, List<NodeStepResult> failed) {
            super(step + " failed on " + failed.size() + " node(s): "
                    + String.join("; ", failed.stream().map(NodeStepResult::describe).toList()));
            this.failed = List.copyOf(failed);
        }

        public List<NodeStepResult> failed() {
            return failed;
        }
    }
}
