package io.jenkins.plugins.kubeadm.core.exec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * The private key an SSH login uses: a key file (the command-line runner), or key text held in
 * memory only (a Jenkins credential), optionally passphrase-protected.
 */
public sealed interface SshIdentity {

    /** The key pairs to offer; failures name the key's source, never its content. */
    List<KeyPair> load(SessionContext session) throws IOException;

    /** An OpenSSH or PEM private key file without a passphrase. */
    record KeyFile(Path path) implements SshIdentity {
        public KeyFile {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public List<KeyPair> load(SessionContext session) throws IOException {
            try (InputStream in = Files.newInputStream(path)) {
                return list(SecurityUtils.loadKeyPairIdentities(session, NamedResource.ofName(path.toString()), in,
                        FilePasswordProvider.EMPTY), "private key " + path);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot read private key " + path + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Key text (OpenSSH or PEM) and its passphrase, both SECRET: never written to a file, and no
     * message (not even MINA's, which may quote the input) leaves this class with them.
     */
    final class InMemory implements SshIdentity, Serializable {
        private static final long serialVersionUID = 1L;

        private final String source;
        private final byte[] key;
        private final String passphrase;

        /**
         * @param source     what the key is called in messages, e.g. "the SSH credential 'lab-key'"
         * @param passphrase null or empty for an unencrypted key
         */
        public InMemory(String source, byte[] key, String passphrase) {
            this.source = Objects.requireNonNull(source, "source");
            this.key = Objects.requireNonNull(key, "key").clone();
            this.passphrase = passphrase == null || passphrase.isEmpty() ? null : passphrase;
        }

        public String source() {
            return source;
        }

        @Override
        public List<KeyPair> load(SessionContext session) throws IOException {
            FilePasswordProvider password = passphrase == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(passphrase);
            Iterable<KeyPair> pairs;
            try {
                pairs = SecurityUtils.loadKeyPairIdentities(session, NamedResource.ofName(source), new ByteArrayInputStream(key), password);
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                // No cause and no message of MINA's: they may quote the key text.
                throw new IOException("the private key of " + source + " cannot be loaded (" + e.getClass().getSimpleName()
                        + "): " + (passphrase == null ? "it is passphrase-protected and no passphrase is given, or it is"
                        : "the passphrase is wrong, or it is") + " not an OpenSSH or PEM private key");
            }
            return list(pairs, source);
        }

        /** Hides the key and passphrase from any log that prints a target. */
        @Override
        public String toString() {
            return "SshIdentity.InMemory[" + source + "]";
        }
    }

    private static List<KeyPair> list(Iterable<KeyPair> pairs, String source) throws IOException {
        List<KeyPair> list = new ArrayList<>();
        if (pairs != null) {
            pairs.forEach(list::add);
        }
        if (list.isEmpty()) {
            throw new IOException(source + " holds no private key (expected an OpenSSH or PEM private key)");
        }
        return list;
    }
}
