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

    /**
     * known_hosts lines held in memory (a Jenkins secret file credential, or a workspace file read by
     * the controller), checked as {@link KnownHosts} checks a file: unknown or changed keys are rejected.
     *
     * @param source what the lines are called in messages, e.g. "known_hosts credential 'lab-hosts'"
     */
    record KnownHostsText(String source, String content) implements HostKeyPolicy, java.io.Serializable {
        public KnownHostsText {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(content, "content");
            List<KnownHostEntry> entries;
            try {
                entries = entries(content);
            } catch (IOException | RuntimeException e) {
                // Not MINA's message: it quotes the line, and a mistaken credential id may name a secret file.
                throw new IllegalArgumentException(source + " is not in known_hosts form (expected lines as ssh-keyscan prints them)");
            }
            if (entries.stream().noneMatch(entry -> entry.getKeyEntry() != null)) {
                throw new IllegalArgumentException(source + " lists no host key (expected known_hosts lines as ssh-keyscan prints them)");
            }
        }

        private static List<KnownHostEntry> entries(String content) throws IOException {
            return KnownHostEntry.readKnownHostEntries(new java.io.BufferedReader(new java.io.StringReader(content)));
        }

        /** Like {@link KnownHosts#keyTypesFor}. */
        public List<String> keyTypesFor(String host, int port) {
            Set<String> types = new LinkedHashSet<>();
            for (KnownHostEntry entry : parsed()) {
                if (entry.getMarker() == null && entry.getKeyEntry() != null && entry.isHostMatch(host, port)) {
                    types.add(entry.getKeyEntry().getKeyType());
                }
            }
            return List.copyOf(types);
        }

        /** Whether a plain (not revoked, not CA) line for this host holds this very key, and no revoked line does. */
        boolean accepts(String host, int port, PublicKey key) {
            boolean listed = false;
            for (KnownHostEntry entry : parsed()) {
                if (entry.getKeyEntry() == null || !entry.isHostMatch(host, port) || !sameKey(entry, key)) {
                    continue;
                }
                if ("revoked".equals(entry.getMarker()) || "@revoked".equals(entry.getMarker())) {
                    return false;
                }
                listed |= entry.getMarker() == null;
            }
            return listed;
        }

        private List<KnownHostEntry> parsed() {
            try {
                return entries(content);
            } catch (IOException e) {
                return List.of(); // checked in the constructor
            }
        }

        private static boolean sameKey(KnownHostEntry entry, PublicKey key) {
            try {
                PublicKey listed = entry.getKeyEntry().resolvePublicKey(null, java.util.Map.of(),
                        org.apache.sshd.common.config.keys.PublicKeyEntryResolver.IGNORING);
                return listed != null && KeyUtils.compareKeys(listed, key);
            } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
                return false;
            }
        }
    }

    /** The key's fingerprint must equal this one, in OpenSSH form {@code SHA256:<base64>}. */
    record PinnedFingerprint(String sha256) implements HostKeyPolicy, java.io.Serializable {
        public PinnedFingerprint {
            if (sha256 == null || !sha256.matches("SHA256:[A-Za-z0-9+/]{43}=?")) {
                throw new IllegalArgumentException("hostKeyFingerprint: expected SHA256:<43 base64 characters> as ssh-keygen -lf prints it");
            }
        }
    }

    /** Accepts any host key: only for throw-away lab machines, and says so in its name. */
    record InsecureAcceptAny() implements HostKeyPolicy, java.io.Serializable {
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
                rejected.accept(session, knownHostsRejection(session, key, k.file().toString(), k::keyTypesFor));
                return false;
            };
        }
        if (this instanceof KnownHostsText k) {
            return (ClientSession session, SocketAddress remote, PublicKey key) -> {
                SshdSocketAddress address = SshdSocketAddress.toSshdSocketAddress(session.getConnectAddress());
                if (k.accepts(address.getHostName(), address.getPort(), key)) {
                    return true;
                }
                rejected.accept(session, knownHostsRejection(session, key, k.source(), k::keyTypesFor));
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

    /** Why a known_hosts check rejected a key: the offered key type, and what the lines hold for that host. */
    private static String knownHostsRejection(ClientSession session, PublicKey key, String source,
                                              java.util.function.BiFunction<String, Integer, List<String>> keyTypesFor) {
        SshdSocketAddress address = SshdSocketAddress.toSshdSocketAddress(session.getConnectAddress());
        String host = address.getHostName();
        int port = address.getPort();
        String offered = KeyUtils.getKeyType(key);
        List<String> known = keyTypesFor.apply(host, port);
        String where = port == 22 ? host : "[" + host + "]:" + port;
        String why = known.isEmpty()
                ? source + " has no key for " + where + " (add it with ssh-keyscan, or log in once with ssh)"
                : known.contains(offered)
                ? source + " has a different " + offered + " key for " + where
                + " (the host key changed, or another machine answers at that address)"
                : source + " has only " + String.join(", ", known) + " for " + where;
        return "the server offered host key type " + offered + " (" + fingerprint(key) + ") but " + why;
    }

    /**
     * The client's signature algorithms reordered so the host key types known for this host come
     * first, as OpenSSH does: a server with several host keys then offers the one that can be
     * checked. Other policies keep the order.
     */
    default List<NamedFactory<Signature>> preferKnownHostKeyTypes(List<NamedFactory<Signature>> factories, String host, int port) {
        List<String> types = this instanceof KnownHosts k ? k.keyTypesFor(host, port)
                : this instanceof KnownHostsText t ? t.keyTypesFor(host, port) : List.of();
        Set<String> known = new LinkedHashSet<>();
        for (String type : types) {
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
