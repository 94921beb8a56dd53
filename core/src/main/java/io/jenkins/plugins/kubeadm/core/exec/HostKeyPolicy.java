package io.jenkins.plugins.kubeadm.core.exec;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Objects;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;

/**
 * How a node's SSH host key is checked. There is no silent default: callers choose a known_hosts
 * file, a pinned SHA-256 fingerprint, or, by name, accepting any key.
 */
public sealed interface HostKeyPolicy {

    /** Keys must be listed in an OpenSSH known_hosts file; unknown or changed keys are rejected. */
    record KnownHosts(Path file) implements HostKeyPolicy {
        public KnownHosts {
            Objects.requireNonNull(file, "file");
        }
    }

    /** The key's fingerprint must equal this one, in OpenSSH form {@code SHA256:<base64>}. */
    record PinnedFingerprint(String sha256) implements HostKeyPolicy {
        public PinnedFingerprint {
            if (sha256 == null || !sha256.matches("SHA256:[A-Za-z0-9+/]{43}=?")) {
                throw new IllegalArgumentException("hostKeyFingerprint: expected SHA256:<43 base64 characters> as ssh-keygen -lf prints it");
            }
        }
    }

    /** Accepts any host key: only for throw-away lab machines, and says so in its name. */
    record InsecureAcceptAny() implements HostKeyPolicy {
    }

    static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }

    default ServerKeyVerifier verifier() {
        if (this instanceof KnownHosts k) {
            return new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, k.file());
        }
        if (this instanceof PinnedFingerprint p) {
            return (ClientSession session, SocketAddress remote, PublicKey key) -> p.sha256().equals(fingerprint(key));
        }
        return AcceptAllServerKeyVerifier.INSTANCE;
    }
}
