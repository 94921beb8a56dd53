package io.jenkins.plugins.kubeadm.core.exec;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * What both runners share: a step runs through {@link NodeBootstrap}, and its result files are then
 * collected (and removed from the node) by a second, separate command. Subclasses only say how a
 * command reaches the node.
 */
abstract class BootstrapScriptRunner implements ScriptRunner {

    /** Runs the bootstrap with the request's staging archive; {@code resultId} is null without result files. */
    abstract ExecResult execute(StepRequest request, String resultId, LineSink sink, Duration timeout, Cancellation cancellation)
            throws IOException;

    /** Runs {@link NodeBootstrap#FETCH_SCRIPT} for {@code resultId}; returns its payload, which never meets a LineSink. */
    abstract byte[] fetchResults(String resultId) throws IOException;

    @Override
    public final ExecResult run(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation) throws IOException {
        if (!request.resultFiles().isEmpty()) {
            // Nobody wants them: collected all the same, so that they do not stay on the node.
            CollectedRun run = runAndCollect(request, sink, timeout, cancellation);
            run.clear();
            return run.result();
        }
        return execute(request, null, sink, timeout, cancellation);
    }

    @Override
    public final CollectedRun runAndCollect(StepRequest request, LineSink sink, Duration timeout, Cancellation cancellation)
            throws IOException {
        if (request.resultFiles().isEmpty()) {
            return new CollectedRun(execute(request, null, sink, timeout, cancellation), Map.of());
        }
        String resultId = ResultFiles.newId();
        ExecResult result;
        try {
            result = execute(request, resultId, sink, timeout, cancellation);
        } catch (IOException | RuntimeException e) {
            try {
                fetchResults(resultId);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return new CollectedRun(result, ResultFiles.parse(fetchResults(resultId), request.resultFiles()));
    }
}
