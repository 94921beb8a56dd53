package io.jenkins.plugins.kubeadm.core.exec;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.net.SshdSocketAddress;

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

        /**
         * The key types (e.g. {@code ssh-ed25519}) the file holds for a host, in file order; hashed
         * names and {@code [host]:port} entries count, revoked keys and CA entries do not.
         */
        public List<String> keyTypesFor(String host, int port) {
            Set<String> types = new LinkedHashSet<>();
            List<KnownHostEntry> entries;
            try {
                entries = Files.exists(file) ? KnownHostEntry.readKnownHostEntries(file) : List.of();
            } catch (IOException | RuntimeException e) {
                return List.of();
            }
            for (KnownHostEntry entry : entries) {
                if (entry.getMarker() == null && entry.getKeyEntry() != null && entry.isHostMatch(host, port)) {
                    types.add(entry.getKeyEntry().getKeyType());
                }
            }
            return List.copyOf(types);
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
        return verifier((session, reason) -> { });
    }

    /**
     * @param rejected told, for each session whose host key is rejected, why: the key type the
     *                 server offered and, for known_hosts, the types the file holds for that host
     */
    default ServerKeyVerifier verifier(BiConsumer<ClientSession, String> rejected) {
        if (this instanceof KnownHosts k) {
            ServerKeyVerifier knownHosts = new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, k.file());
            return (ClientSession session, SocketAddress remote, PublicKey key) -> {
                if (knownHosts.verifyServerKey(session, remote, key)) {
                    return true;
                }
                SshdSocketAddress address = SshdSocketAddress.toSshdSocketAddress(session.getConnectAddress());
                String host = address.getHostName();
                int port = address.getPort();
                String offered = KeyUtils.getKeyType(key);
                List<String> known = k.keyTypesFor(host, port);
                String where = port == 22 ? host : "[" + host + "]:" + port;
                String why = known.isEmpty()
                        ? k.file() + " has no key for " + where + " (add it with ssh-keyscan, or log in once with ssh)"
                        : known.contains(offered)
                        ? k.file() + " has a different " + offered + " key for " + where
                        + " (the host key changed, or another machine answers at that address)"
                        : k.file() + " has only " + String.join(", ", known) + " for " + where;
                rejected.accept(session, "the server offered host key type " + offered + " (" + fingerprint(key) + ") but " + why);
                return false;
            };
        }
        if (this instanceof PinnedFingerprint p) {
            return (ClientSession session, SocketAddress remote, PublicKey key) -> {
                if (p.sha256().equals(fingerprint(key))) {
                    return true;
                }
                rejected.accept(session, "the server offered host key type " + KeyUtils.getKeyType(key) + " with fingerprint "
                        + fingerprint(key) + ", not the pinned " + p.sha256());
                return false;
            };
        }
        return AcceptAllServerKeyVerifier.INSTANCE;
    }

    /**
     * The client's signature algorithms reordered so the host key types known for this host come
     * first, as OpenSSH does: a server with several host keys then offers the one that can be
     * checked. Other policies keep the order.
     */
    default List<NamedFactory<Signature>> preferKnownHostKeyTypes(List<NamedFactory<Signature>> factories, String host, int port) {
        if (!(this instanceof KnownHosts k)) {
            return factories;
        }
        Set<String> known = new LinkedHashSet<>();
        for (String type : k.keyTypesFor(host, port)) {
            known.add(KeyUtils.getCanonicalKeyType(type));
        }
        if (known.isEmpty()) {
            return factories;
        }
        List<NamedFactory<Signature>> ordered = new ArrayList<>();
        for (NamedFactory<Signature> f : factories) {
            if (known.contains(KeyUtils.getCanonicalKeyType(f.getName()))) {
                ordered.add(f);
            }
        }
        for (NamedFactory<Signature> f : factories) {
            if (!ordered.contains(f)) {
                ordered.add(f);
            }
        }
        return ordered;
    }
}
