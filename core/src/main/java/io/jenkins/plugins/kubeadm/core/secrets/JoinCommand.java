package io.jenkins.plugins.kubeadm.core.secrets;

import io.jenkins.plugins.kubeadm.core.params.Defaults;
import io.jenkins.plugins.kubeadm.core.params.KubernetesVersion;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A validated {@code kubeadm join} command: API server endpoint, bootstrap token, CA certificate
 * hashes and, for control-plane joins, the certificate key.
 *
 * <p>The token and the certificate key are secrets. {@link #toString()} and every
 * {@link JoinCommandException} leave them out; {@link #secrets()} lists them for the
 * {@link SecretRedactor}. Only {@link #token()}, {@link #certificateKey()},
 * {@link #toSecretCommandLine()} and {@link #toJoinConfigurationYaml(String)} hand them out, and
 * their results must go to memory or a root-only file, never to a log.
 */
public final class JoinCommand {

    /** The CRI socket the node scripts install containerd at. */
    public static final String CONTAINERD_CRI_SOCKET = Defaults.CONTAINERD_CRI_SOCKET;

    static final String TOKEN_FORM = "[a-z0-9]{6}.[a-z0-9]{16}";
    static final String HASH_FORM = "sha256:<64 hex digits>";
    static final String CERTIFICATE_KEY_FORM = "64 hex digits";

    private static final Pattern TOKEN = Pattern.compile("([a-z0-9]{6})\\.([a-z0-9]{16})");
    private static final Pattern CA_CERT_HASH = Pattern.compile("sha256:[0-9a-fA-F]{64}");
    private static final Pattern CERTIFICATE_KEY = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern FLAG_NAME = Pattern.compile("--[a-z0-9][a-z0-9-]{0,62}");
    /** A backslash ending a line joins it with the next, as the shell does with kubeadm init's multi-line form. */
    private static final Pattern CONTINUATION = Pattern.compile("\\\\[ \\t]*\\r?\\n");
    private static final Pattern JOIN = Pattern.compile("(?<![A-Za-z0-9_-])kubeadm[ \\t]+join(?=[ \\t\\r]|$)([^\\n]*)", Pattern.MULTILINE);
    private static final Pattern KUBERNETES_MINOR = Pattern.compile("v?1\\.(\\d{1,3})(?:\\.\\d{1,4})?");

    private final ApiServerEndpoint apiServerEndpoint;
    private final String token;
    private final List<String> caCertHashes;
    private final boolean controlPlane;
    private final String certificateKey;

    private JoinCommand(ApiServerEndpoint apiServerEndpoint, String token, List<String> caCertHashes,
                        boolean controlPlane, String certificateKey) {
        this.apiServerEndpoint = Objects.requireNonNull(apiServerEndpoint, "apiServerEndpoint");
        if (token == null || !TOKEN.matcher(token).matches()) {
            throw new JoinCommandException("token is not of the form " + TOKEN_FORM);
        }
        this.token = token;
        if (caCertHashes == null || caCertHashes.isEmpty()) {
            throw new JoinCommandException("no CA cert hash (--discovery-token-ca-cert-hash " + HASH_FORM
                    + "); joining without pinning the CA is refused");
        }
        LinkedHashSet<String> hashes = new LinkedHashSet<>();
        for (int i = 0; i < caCertHashes.size(); i++) {
            String hash = caCertHashes.get(i);
            if (hash == null || !CA_CERT_HASH.matcher(hash).matches()) {
                throw new JoinCommandException("CA cert hash #" + (i + 1) + " is not of the form " + HASH_FORM);
            }
            hashes.add(hash.toLowerCase(Locale.ROOT));
        }
        this.caCertHashes = List.copyOf(hashes);
        if (certificateKey != null) {
            if (!controlPlane) {
                throw new JoinCommandException("certificate key given without --control-plane");
            }
            if (!CERTIFICATE_KEY.matcher(certificateKey).matches()) {
                throw new JoinCommandException("certificate key is not " + CERTIFICATE_KEY_FORM);
            }
        }
        this.controlPlane = controlPlane;
        this.certificateKey = certificateKey;
    }

    /** A worker join from its parts, e.g. a token and hash computed on the control plane. */
    public static JoinCommand of(String apiServerEndpoint, String token, List<String> caCertHashes) {
        return new JoinCommand(ApiServerEndpoint.parse(apiServerEndpoint), token, caCertHashes, false, null);
    }

    /** A control-plane join; {@code certificateKey} may be null when the certificates are copied by other means. */
    public static JoinCommand ofControlPlane(String apiServerEndpoint, String token, List<String> caCertHashes,
                                             String certificateKey) {
        return new JoinCommand(ApiServerEndpoint.parse(apiServerEndpoint), token, caCertHashes, true, certificateKey);
    }

    /**
     * Parses text holding exactly one join command: the {@code kubeadm token create --print-join-command}
     * one-liner, or the multi-line form with backslash continuations that ends {@code kubeadm init} output.
     */
    public static JoinCommand parse(String kubeadmOutput) {
        List<String> commands = findCommands(kubeadmOutput);
        if (commands.isEmpty()) {
            throw new JoinCommandException("no 'kubeadm join' command found");
        }
        if (commands.size() > 1) {
            throw new JoinCommandException("found " + commands.size()
                    + " 'kubeadm join' commands where one was expected (parseAll reads several)");
        }
        return parseArguments(commands.get(0));
    }

    /**
     * Parses every join command in the text, in order. {@code kubeadm init --upload-certs} prints two:
     * one for control-plane nodes, then one for workers.
     */
    public static List<JoinCommand> parseAll(String kubeadmOutput) {
        List<String> commands = findCommands(kubeadmOutput);
        List<JoinCommand> parsed = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            try {
                parsed.add(parseArguments(commands.get(i)));
            } catch (JoinCommandException e) {
                throw new JoinCommandException("join command " + (i + 1) + " of " + commands.size() + ": " + e.getMessage());
            }
        }
        return List.copyOf(parsed);
    }

    /** The argument text after each "kubeadm join", continuation lines joined. */
    private static List<String> findCommands(String text) {
        if (text == null) {
            return List.of();
        }
        String joined = CONTINUATION.matcher(text.replace("\r\n", "\n")).replaceAll(" ");
        List<String> commands = new ArrayList<>();
        Matcher m = JOIN.matcher(joined);
        while (m.find()) {
            commands.add(m.group(1));
        }
        return commands;
    }

    private static JoinCommand parseArguments(String arguments) {
        String[] words = arguments.trim().isEmpty() ? new String[0] : arguments.trim().split("\\s+");
        String endpoint = null;
        String token = null;
        List<String> hashes = new ArrayList<>();
        boolean controlPlane = false;
        String certificateKey = null;
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            if (!word.startsWith("-")) {
                if (endpoint != null) {
                    throw new JoinCommandException("unexpected extra argument at position " + (i + 1) + " (value not shown)");
                }
                endpoint = word;
                continue;
            }
            int eq = word.indexOf('=');
            String flag = eq < 0 ? word : word.substring(0, eq);
            String inlineValue = eq < 0 ? null : word.substring(eq + 1);
            switch (flag) {
                case "--control-plane" -> {
                    if (inlineValue != null) {
                        throw new JoinCommandException("--control-plane takes no value");
                    }
                    controlPlane = true;
                }
                case "--token" -> {
                    if (token != null) {
                        throw new JoinCommandException("--token given more than once");
                    }
                    token = inlineValue != null ? inlineValue : nextValue(words, i, flag);
                    if (inlineValue == null) {
                        i++;
                    }
                    if (token.isEmpty()) {
                        throw new JoinCommandException("--token needs a value");
                    }
                }
                case "--discovery-token-ca-cert-hash" -> {
                    String value = inlineValue != null ? inlineValue : nextValue(words, i, flag);
                    if (inlineValue == null) {
                        i++;
                    }
                    // kubeadm declares the flag as a string slice, so comma-separated lists are valid too.
                    for (String hash : value.split(",", -1)) {
                        hashes.add(hash);
                    }
                }
                case "--certificate-key" -> {
                    if (certificateKey != null) {
                        throw new JoinCommandException("--certificate-key given more than once");
                    }
                    certificateKey = inlineValue != null ? inlineValue : nextValue(words, i, flag);
                    if (inlineValue == null) {
                        i++;
                    }
                }
                case "--discovery-token-unsafe-skip-ca-verification" -> throw new JoinCommandException(
                        "--discovery-token-unsafe-skip-ca-verification is refused: the CA must be pinned with "
                                + "--discovery-token-ca-cert-hash");
                default -> throw new JoinCommandException(FLAG_NAME.matcher(flag).matches()
                        ? "unknown flag " + flag + " (expected --token, --discovery-token-ca-cert-hash, "
                                + "--control-plane, --certificate-key)"
                        : "unknown flag at position " + (i + 1) + " (name not shown)");
            }
        }
        if (endpoint == null) {
            throw new JoinCommandException("API server endpoint (host:port) is missing");
        }
        if (token == null) {
            throw new JoinCommandException("--token is missing");
        }
        return new JoinCommand(ApiServerEndpoint.parse(endpoint), token, hashes, controlPlane, certificateKey);
    }

    private static String nextValue(String[] words, int flagIndex, String flag) {
        if (flagIndex + 1 >= words.length || words[flagIndex + 1].startsWith("--")) {
            throw new JoinCommandException(flag + " needs a value");
        }
        return words[flagIndex + 1];
    }

    public ApiServerEndpoint apiServerEndpoint() {
        return apiServerEndpoint;
    }

    /** The public half of the token (it names the bootstrap-token Secret in kube-system). */
    public String tokenId() {
        return token.substring(0, 6);
    }

    /** SECRET: the whole bootstrap token. */
    public String token() {
        return token;
    }

    /** Lower-case {@code sha256:<hex>} pins, in the order given, without duplicates. */
    public List<String> caCertHashes() {
        return caCertHashes;
    }

    public boolean isControlPlane() {
        return controlPlane;
    }

    /** SECRET: the key that decrypts the uploaded control-plane certificates, if any. */
    public Optional<String> certificateKey() {
        return Optional.ofNullable(certificateKey);
    }

    /** The same join for another control plane, with the key the control-plane certificates were uploaded with. */
    public JoinCommand forControlPlanes(String uploadedCertificatesKey) {
        return new JoinCommand(apiServerEndpoint, token, caCertHashes, true, Objects.requireNonNull(uploadedCertificatesKey, "key"));
    }

    /** The same join for a worker: {@code kubeadm init --upload-certs} prints the control-plane one first. */
    public JoinCommand forWorkers() {
        return controlPlane ? new JoinCommand(apiServerEndpoint, token, caCertHashes, false, null) : this;
    }

    /**
     * What {@link SecretRedactor} must mask for this command: the token, its secret half and the
     * certificate key as written, lower-cased, and base64-encoded without padding (the form they take
     * in a Secret's {@code data}, e.g. in {@code kubectl get secret -o yaml} diagnostics).
     */
    public Set<String> secrets() {
        Set<String> secrets = new LinkedHashSet<>(JoinSecrets.tokenRedactionForms(token));
        if (certificateKey != null) {
            secrets.addAll(JoinSecrets.redactionForms(certificateKey));
            secrets.addAll(JoinSecrets.redactionForms(certificateKey.toLowerCase(Locale.ROOT)));
        }
        return Collections.unmodifiableSet(secrets);
    }

    /** SECRET: the one-line command, e.g. for a node script reading it from standard input. */
    public String toSecretCommandLine() {
        StringBuilder sb = new StringBuilder("kubeadm join ").append(apiServerEndpoint)
                .append(" --token ").append(token);
        for (String hash : caCertHashes) {
            sb.append(" --discovery-token-ca-cert-hash ").append(hash);
        }
        if (controlPlane) {
            sb.append(" --control-plane");
        }
        if (certificateKey != null) {
            sb.append(" --certificate-key ").append(certificateKey);
        }
        return sb.toString();
    }

    /** The kubeadm config API group version for a Kubernetes version such as "1.31", "1.31.2" or "v1.30.4". */
    public static String kubeadmApiVersion(String kubernetesVersion) {
        Matcher m = kubernetesVersion == null ? null : KUBERNETES_MINOR.matcher(kubernetesVersion.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("Kubernetes version is not of the form 1.<minor>[.<patch>]");
        }
        return Integer.parseInt(m.group(1)) >= Defaults.FIRST_V1BETA4_MINOR ? "kubeadm.k8s.io/v1beta4" : "kubeadm.k8s.io/v1beta3";
    }

    /** See {@link #toJoinConfigurationYaml(String)}. */
    public byte[] toJoinConfigurationYaml(KubernetesVersion version) {
        return toJoinConfigurationYaml(version.minor());
    }

    /**
     * SECRET: a kubeadm JoinConfiguration for {@code kubeadm join --config}, UTF-8. Field names are
     * the same in v1beta3 and v1beta4; only apiVersion differs. Write it only to a root-only file and
     * clear the array afterwards.
     */
    public byte[] toJoinConfigurationYaml(String kubernetesVersion) {
        StringBuilder yaml = new StringBuilder()
                .append("apiVersion: ").append(kubeadmApiVersion(kubernetesVersion)).append('\n')
                .append("kind: JoinConfiguration\n")
                .append("discovery:\n")
                .append("  bootstrapToken:\n")
                .append("    apiServerEndpoint: ").append(quoted(apiServerEndpoint.toString())).append('\n')
                .append("    token: ").append(quoted(token)).append('\n')
                .append("    caCertHashes:\n");
        for (String hash : caCertHashes) {
            yaml.append("      - ").append(quoted(hash)).append('\n');
        }
        yaml.append("nodeRegistration:\n")
                .append("  criSocket: ").append(quoted(CONTAINERD_CRI_SOCKET)).append('\n');
        if (controlPlane) {
            if (certificateKey == null) {
                // An empty object still makes kubeadm deploy a control-plane instance on the node.
                yaml.append("controlPlane: {}\n");
            } else {
                yaml.append("controlPlane:\n")
                        .append("  certificateKey: ").append(quoted(certificateKey)).append('\n');
            }
        }
        return yaml.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Every value was validated to plain ASCII without quotes or backslashes, so double quotes suffice. */
    private static String quoted(String value) {
        return '"' + value + '"';
    }

    /** Redacted: the token's secret half and the certificate key are masked. */
    @Override
    public String toString() {
        return "JoinCommand[apiServerEndpoint=" + apiServerEndpoint
                + ", token=" + tokenId() + "." + SecretRedactor.MASK
                + ", caCertHashes=" + caCertHashes
                + ", controlPlane=" + controlPlane
                + (certificateKey != null ? ", certificateKey=" + SecretRedactor.MASK : "")
                + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JoinCommand other
                && apiServerEndpoint.equals(other.apiServerEndpoint)
                && token.equals(other.token)
                && caCertHashes.equals(other.caCertHashes)
                && controlPlane == other.controlPlane
                && Objects.equals(certificateKey, other.certificateKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(apiServerEndpoint, token, caCertHashes, controlPlane, certificateKey);
    }
}
