package io.jenkins.plugins.kubeadm.core.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * A MINA SSH server on 127.0.0.1 that accepts one client key and runs exec requests with
 * {@code bash -c}, as OpenSSH's sshd does. Like a Debian sshd it has several host keys: an ECDSA
 * one (what a client negotiates by default) and an ed25519 one (what OpenSSH records first).
 */
final class TestSshServer implements AutoCloseable {

    final SshServer server;
    final Path clientKey;
    /** The ECDSA host key's fingerprint: the key a client without preferences gets. */
    final String hostKeyFingerprint;
    /** The ed25519 host key as a known_hosts line's key part: {@code ssh-ed25519 AAAA...}. */
    final String ed25519HostKey;

    TestSshServer(Path dir) throws Exception {
        clientKey = dir.resolve("id_ed25519");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey.toString())
                .redirectErrorStream(true).start();
        if (keygen.waitFor() != 0) {
            throw new IllegalStateException("ssh-keygen failed: " + new String(keygen.getInputStream().readAllBytes()));
        }
        Path authorized = dir.resolve("authorized_keys");
        Files.copy(dir.resolve("id_ed25519.pub"), authorized);
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(dir.resolve("host_key"));
        hostKeys.setAlgorithm("EC");
        Path ed25519 = dir.resolve("host_ed25519_key");
        Process hostKeygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", ed25519.toString())
                .redirectErrorStream(true).start();
        if (hostKeygen.waitFor() != 0) {
            throw new IllegalStateException("ssh-keygen failed: " + new String(hostKeygen.getInputStream().readAllBytes()));
        }
        String[] publicLine = Files.readString(dir.resolve("host_ed25519_key.pub")).trim().split("\\s+");
        ed25519HostKey = publicLine[0] + " " + publicLine[1];
        KeyPair ecdsa = hostKeys.loadKeys(null).iterator().next();
        KeyPair edKey = new FileKeyPairProvider(ed25519).loadKeys(null).iterator().next();
        server.setKeyPairProvider(KeyPairProvider.wrap(ecdsa, edKey));
        server.setPublickeyAuthenticator(new AuthorizedKeysAuthenticator(authorized));
        server.setCommandFactory((channel, command) -> new BashCommand(command));
        server.start();
        hostKeyFingerprint = HostKeyPolicy.fingerprint(ecdsa.getPublic());
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    /** Runs the exec request's command line with bash, wiring the channel's streams to the process. */
    private static final class BashCommand implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Process process;

        BashCommand(String command) {
            this.command = command;
        }

        @Override public void setInputStream(InputStream in) { this.in = in; }
        @Override public void setOutputStream(OutputStream out) { this.out = out; }
        @Override public void setErrorStream(OutputStream err) { this.err = err; }
        @Override public void setExitCallback(ExitCallback callback) { this.exit = callback; }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            process = new ProcessBuilder("bash", "-c", command).start();
            Thread stdin = copy(in, process.getOutputStream(), true);
            Thread stdout = copy(process.getInputStream(), out, false);
            Thread stderr = copy(process.getErrorStream(), err, false);
            Thread waiter = new Thread(() -> {
                try {
                    int status = process.waitFor();
                    stdout.join();
                    stderr.join();
                    stdin.interrupt();
                    exit.onExit(status);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.setDaemon(true);
            waiter.start();
        }

        private static Thread copy(InputStream from, OutputStream to, boolean closeTarget) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    int n;
                    while ((n = from.read(buf)) >= 0) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                } catch (IOException ignored) {
                    // the other side went away
                } finally {
                    if (closeTarget) {
                        try {
                            to.close();
                        } catch (IOException ignored) {
                            // already closed
                        }
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void destroy(ChannelSession channel) {
            // Closing the channel ends stdin, which the bootstrap treats as "stop"; nothing is killed here
            // so the test sees the bootstrap's own clean-up at work.
        }
    }
}
