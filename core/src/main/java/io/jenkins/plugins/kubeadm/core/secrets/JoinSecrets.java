package io.jenkins.plugins.kubeadm.core.secrets;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Join secrets generated in Java, so that they are in the {@link SecretRedactor} before any node
 * prints them: pass them to {@code kubeadm init} (InitConfiguration bootstrapTokens[].token and
 * certificateKey) or {@code kubeadm token create <token>} instead of letting kubeadm invent them.
 */
public final class JoinSecrets {

    private static final char[] TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private JoinSecrets() {
    }

    /** A fresh bootstrap token, {@code [a-z0-9]{6}.[a-z0-9]{16}}, as {@code kubeadm token generate} makes. */
    public static String newBootstrapToken() {
        return randomAlnum(6) + "." + randomAlnum(16);
    }

    /** A fresh certificate key: 32 random bytes (an AES-256 key) in lower-case hex, as kubeadm expects. */
    public static String newCertificateKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return HexFormat.of().formatHex(key);
    }

    private static String randomAlnum(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = TOKEN_ALPHABET[RANDOM.nextInt(TOKEN_ALPHABET.length)];
        }
        return new String(chars);
    }
}
