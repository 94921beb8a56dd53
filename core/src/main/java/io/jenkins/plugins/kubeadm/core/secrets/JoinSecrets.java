package io.jenkins.plugins.kubeadm.core.secrets;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;

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

    /**
     * What a {@link SecretRedactor} must mask for a secret: it as written and base64-encoded without
     * padding (the form it takes in a Secret's {@code data}, e.g. in diagnostics).
     */
    public static Set<String> redactionForms(String secret) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(secret);
        forms.add(Base64.getEncoder().withoutPadding().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
        return Collections.unmodifiableSet(forms);
    }

    /** {@link #redactionForms} of a bootstrap token and of its secret half. */
    public static Set<String> tokenRedactionForms(String token) {
        Set<String> forms = new LinkedHashSet<>(redactionForms(token));
        forms.addAll(redactionForms(token.substring(token.indexOf('.') + 1)));
        return Collections.unmodifiableSet(forms);
    }

    private static String randomAlnum(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = TOKEN_ALPHABET[RANDOM.nextInt(TOKEN_ALPHABET.length)];
        }
        return new String(chars);
    }
}
