package io.jenkins.plugins.kubeadm.core.exec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

/**
 * Runs node scripts over SSH with Apache MINA SSHD: public-key authentication only, the host key
 * checked by an explicit {@link HostKeyPolicy}. One client per node, one session per script run.
 */
public final class SshScriptRunner extends BootstrapScriptRunner {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(60);
    /** How often a running step's channel is looked at: short enough to add nothing noticeable to a step. */
    private static final long POLL_MILLIS = 20;

    private final NodeTarget target;
    private final SshClient client;
    /** Why a session's host key was rejected, kept until its connect() reports it (MINA's own message says only "did not validate"). */
    private final Map<ClientSession, String> hostKeyRejections = new ConcurrentHashMap<>();

    public SshScriptRunner(NodeTarget target) {
        this.target = target;
        this.client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(target.hostKeyPolicy().verifier(hostKeyRejections::put));
        client.setSignatureFactories(target.hostKeyPolicy().preferKnownHostKeyTypes(client.getSignatureFactories(),
                target.host(), target.port()));
        // No agent, no ~/.ssh defaults: only the key the caller named.
        client.setKeyIdentityProvider(session -> Set.of());
        client.start();
    }

    @Override
    public String nodeName() {
        return target.name();
    }

    /** Collects and removes a run's result files over a second SSH channel; the payload never meets a LineSink. */
    @Override
    byte[] fetchResults(String resultId) throws IOException {
        try (ClientSession session = connect();
             ChannelExec channel = session.createExecChannel(NodeBootstrap.fetchCommandLine(target.needsSudo()))) {
            ResultFiles.BoundedBuffer out = new ResultFiles.BoundedBuffer();
            channel.setOut(out);
            channel.setErr(OutputStream.nullOutputStream());
            channel.open().verify(CONNECT_TIMEOUT);
            try (OutputStream stdin = channel.getInvertedIn()) {
                stdin.write((resultId + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), FETCH_TIMEOUT.toMillis());
            Integer status = channel.getExitStatus();
            if (status == null || status != 0) {
                throw new IOException(target.name() + ": could not collect the step's result files ("
                        + (status == null ? "no exit status" : "exit " + status) + ")");
            }
            return out.toByteArray();
        }
    }

    @Override
    ExecResult execute(StepRequest request, String resultId, LineSink sink, Duration timeout, Cancellation cancellation)
            throws IOException {
        long start = System.nanoTime();
        try (ClientSession session = connect();
             ChannelExec channel = session.createExecChannel(NodeBootstrap.commandLine(target.needsSudo()));
             // The node's output is bounded: past the limits the channel closes, which stops the step there.
             LineSplitter out = LineSink.boundedLines(sink, target.name(), LineSink.Stream.STDOUT, () -> LocalScriptRunner.closeQuietly(channel));
             LineSplitter err = LineSink.boundedLines(sink, target.name(), LineSink.Stream.STDERR, () -> LocalScriptRunner.closeQuietly(channel))) {
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(CONNECT_TIMEOUT);
            OutputStream stdin = channel.getInvertedIn();
            // Closing the channel closes the node's standard input, which stops the step's process group.
            Runnable stop = () -> LocalScriptRunner.closeQuietly(channel);
            cancellation.onCancel(stop);
            try {
                stdin.write(StagingArchive.build(request, resultId));
                stdin.flush();
                ExecResult.Outcome outcome = waitForEnd(channel, start, timeout, cancellation);
                String refused = out.violation() != null ? out.violation() : err.violation();
                if (refused != null) {
                    throw new IOException(refused);
                }
                if (outcome != ExecResult.Outcome.COMPLETED) {
                    stop.run();
                    return new ExecResult(-1, outcome, Duration.ofNanos(System.nanoTime() - start));
                }
                Integer status = channel.getExitStatus();
                if (status == null) {
                    throw new IOException(target.name() + ": the SSH channel closed without an exit status (connection lost?)");
                }
                return new ExecResult(status, outcome, Duration.ofNanos(System.nanoTime() - start));
            } finally {
                cancellation.remove(stop);
            }
        }
    }

    private ExecResult.Outcome waitForEnd(ChannelExec channel, long start, Duration timeout, Cancellation cancellation) {
        long deadline = start + timeout.toNanos();
        while (true) {
            // Polled, not MINA's waitFor: that swallows interrupts, and an interrupt is how a Jenkins
            // agent running this runner is told the build stopped.
            Set<ClientChannelEvent> events = channel.getChannelState();
            // Checked first: a cancelled step also ends, and it must be reported as cancelled.
            if (cancellation.isCancelled()) {
                return ExecResult.Outcome.CANCELLED;
            }
            if (events.contains(ClientChannelEvent.EXIT_STATUS)) {
                // Output may still be in flight: wait briefly for the channel to drain and close.
                channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), 5_000);
                return ExecResult.Outcome.COMPLETED;
            }
            if (events.contains(ClientChannelEvent.CLOSED)) {
                return ExecResult.Outcome.COMPLETED;
            }
            if (System.nanoTime() > deadline) {
                return ExecResult.Outcome.TIMED_OUT;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExecResult.Outcome.CANCELLED;
            }
        }
    }

    private ClientSession connect() throws IOException {
        ClientSession session = client.connect(target.user(), target.host(), target.port())
                .verify(CONNECT_TIMEOUT).getSession();
        try {
            for (KeyPair key : target.identity().load(session)) {
                session.addPublicKeyIdentity(key);
            }
            session.auth().verify(CONNECT_TIMEOUT);
            return session;
        } catch (IOException | RuntimeException e) {
            String hostKey = hostKeyRejections.get(session);
            session.close(true);
            throw new IOException(target.name() + ": SSH login as " + target.user() + "@" + target.host() + ":" + target.port()
                    + " failed: " + (hostKey == null ? e.getMessage() : "host key check failed: " + hostKey), e);
        } finally {
            hostKeyRejections.remove(session);
        }
    }

    @Override
    public void close() throws IOException {
        client.stop();
        client.close();
    }
}
