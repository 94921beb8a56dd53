package io.jenkins.plugins.kubeadm.core.secrets;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The set of secrets every log of a run is masked against, and the streams that mask them.
 *
 * <p>One instance serves a whole run: every log file and the console are {@link #wrap wrapped} by
 * it, and a secret {@link #add added} while they stream applies to all bytes not yet released.
 * Besides the literal secrets it masks anything shaped like a kubeadm bootstrap token
 * ({@code [a-z0-9]{6}.[a-z0-9]{16}}), since kubeadm init prints a token of its own before the
 * project can know it; {@link #literalOnly()} turns that off.
 *
 * <p>Strings shorter than {@link #MIN_SECRET_LENGTH} are not masked: a short value (a password
 * such as "admin", the last line of a PEM body) also occurs in ordinary words and numbers, so
 * masking it would garble logs, and the masks' positions would reveal where the value occurs.
 * None of the secrets this project handles is that short.
 */
public final class SecretRedactor {

    /** What a secret is replaced with. */
    public static final String MASK = "****";

    /** Shorter strings are not registered; see the class comment. */
    public static final int MIN_SECRET_LENGTH = 6;

    private final boolean maskBootstrapTokenShapes;
    private final Set<String> secrets = new LinkedHashSet<>();
    private volatile MaskPatterns patterns;

    /** Masks bootstrap-token shapes and whatever secrets are added. */
    public SecretRedactor() {
        this(true);
    }

    private SecretRedactor(boolean maskBootstrapTokenShapes) {
        this.maskBootstrapTokenShapes = maskBootstrapTokenShapes;
        this.patterns = maskBootstrapTokenShapes ? new MaskPatterns(List.of(MaskPatterns.BOOTSTRAP_TOKEN)) : MaskPatterns.EMPTY;
    }

    /** Masks only the secrets added, nothing by shape. */
    public static SecretRedactor literalOnly() {
        return new SecretRedactor(false);
    }

    /**
     * Registers a secret. Returns whether it was taken: false for null, shorter than
     * {@link #MIN_SECRET_LENGTH}, or already known.
     */
    public boolean add(String secret) {
        if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            return false;
        }
        synchronized (secrets) {
            if (!secrets.add(secret)) {
                return false;
            }
            List<MaskPatterns.BytePattern> all = new ArrayList<>();
            if (maskBootstrapTokenShapes) {
                all.add(MaskPatterns.BOOTSTRAP_TOKEN);
            }
            for (String s : secrets) {
                all.add(new MaskPatterns.Literal(s));
            }
            patterns = new MaskPatterns(all);
            return true;
        }
    }

    /** Registers several secrets; returns how many were taken. */
    public int addAll(Collection<String> newSecrets) {
        int taken = 0;
        for (String secret : newSecrets) {
            if (add(secret)) {
                taken++;
            }
        }
        return taken;
    }

    /** Registers the credentials a kubeconfig holds (see {@link KubeconfigSecrets}); returns how many were taken. */
    public int addKubeconfig(String kubeconfig) {
        return addAll(KubeconfigSecrets.of(kubeconfig));
    }

    /** How many literal secrets are registered. */
    public int size() {
        synchronized (secrets) {
            return secrets.size();
        }
    }

    /** Whether this exact string is registered; lets callers check without holding a copy of the set. */
    public boolean isRegistered(String secret) {
        synchronized (secrets) {
            return secrets.contains(secret);
        }
    }

    /** A stream that masks the secrets before bytes reach {@code target}. */
    public RedactingOutputStream wrap(OutputStream target) {
        return new RedactingOutputStream(this, Objects.requireNonNull(target, "target"));
    }

    /** Masks the secrets in a complete text (a whole line, a message). */
    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        new RedactionState().process(patterns, bytes, 0, bytes.length, true, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    MaskPatterns patterns() {
        return patterns;
    }
}
