package io.jenkins.plugins.kubeadm.core.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * How a step reaches the cluster: a kubeconfig file, or kubeconfig content (for instance from a
 * Jenkins secret file credential). Content is a secret: it appears in no message, no toString and
 * no log; a kubeconfig that cannot be read is reported without quoting it.
 *
 * <p>The kubeconfig is read here as plain data and never handed to fabric8's kubeconfig parser: that
 * parser runs a user's {@code exec} command as it reads, and kubeconfigs reach the Jenkins controller
 * from credentials, SSH nodes and agents. Only inline data is accepted: a server URL, the CA's
 * certificate data (or insecure-skip-tls-verify), client certificate and key data, a token, or a
 * username and password. Every entry of clusters, users and contexts is checked, not only the one
 * the current context selects, so a kubeconfig is either wholly acceptable or refused. Anything that
 * runs a command or plugin ({@code exec}, {@code auth-provider}), names a file on the reader's
 * machine ({@code certificate-authority}, {@code client-certificate}, {@code client-key},
 * {@code tokenFile}), sets a proxy or impersonates is refused, naming the field, never its value.
 */
public final class Kubeconfig {

    private static final String RUNS_A_COMMAND = "it would run a command on the machine that reads the kubeconfig"
            + " (the Jenkins controller)";
    private static final String NAMES_A_FILE = "it names a file on the machine that reads the kubeconfig"
            + " (the Jenkins controller); give the content inline";

    /** Why a field is refused, where there is more to say than "not supported". */
    private static final Map<String, String> REASONS = Map.ofEntries(
            Map.entry("exec", RUNS_A_COMMAND),
            Map.entry("auth-provider", "it would run an authentication plugin on the machine that reads the kubeconfig"
                    + " (the Jenkins controller)"),
            Map.entry("certificate-authority", NAMES_A_FILE + " as certificate-authority-data"),
            Map.entry("client-certificate", NAMES_A_FILE + " as client-certificate-data"),
            Map.entry("client-key", NAMES_A_FILE + " as client-key-data"),
            Map.entry("tokenFile", NAMES_A_FILE + " as token"),
            Map.entry("proxy-url", "the API server is reached directly, not through a proxy"),
            Map.entry("tls-server-name", "the client checks the server certificate against the server URL's host only"));

    /** Per section: the fields of its entries' inner object that are used (or harmless), and how to say so. */
    private record Section(String list, String inner, Set<String> accepted, String acceptedForm) {
    }

    private static final Section CLUSTERS = new Section("clusters", "cluster",
            Set.of("server", "certificate-authority-data", "insecure-skip-tls-verify", "disable-compression", "extensions"),
            "server with certificate-authority-data or insecure-skip-tls-verify");
    private static final Section USERS = new Section("users", "user",
            Set.of("client-certificate-data", "client-key-data", "token", "username", "password", "extensions"),
            "client-certificate-data with client-key-data, a token, or username with password");
    private static final Section CONTEXTS = new Section("contexts", "context",
            Set.of("cluster", "user", "namespace", "extensions"), "cluster, user and namespace");

    private final Path file;
    private final char[] content;

    private Kubeconfig(Path file, char[] content) {
        this.file = file;
        this.content = content;
    }

    public static Kubeconfig fromFile(Path file) {
        if (file == null) {
            throw new IllegalArgumentException("kubeconfig file is required");
        }
        return new Kubeconfig(file, null);
    }

    public static Kubeconfig fromContent(String content) {
        if (content == null || content.isBlank()) {
            throw new IllegalArgumentException("kubeconfig content is empty");
        }
        return new Kubeconfig(null, content.toCharArray());
    }

    /** Opens a client; the caller closes it. Nothing is sent to the server yet. */
    public KubernetesClient connect() {
        return new KubernetesClientBuilder().withConfig(config()).build();
    }

    /** The client configuration: the kubeconfig's own fields only, checked as the class comment says. */
    Config config() {
        if (file != null) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ClusterStepException("cannot read kubeconfig file " + file + ": " + e.getClass().getSimpleName());
            }
            return parse(text, "kubeconfig file " + file);
        }
        return parse(new String(content), "kubeconfig content");
    }

    private static Config parse(String text, String what) {
        String invalid = what + " is not a valid kubeconfig";
        String expected = "; expected YAML with clusters, users, contexts and current-context";
        JsonNode root;
        try {
            // A tree of plain values: YAML tags construct nothing here.
            root = new YAMLMapper().readTree(text);
        } catch (IOException | RuntimeException e) {
            // The parser's message can quote the offending text, which may hold a token or key.
            throw new ClusterStepException(invalid + " (not YAML)" + expected);
        }
        if (root == null || !root.isObject()) {
            throw new ClusterStepException(invalid + expected);
        }
        for (Section section : new Section[] {CLUSTERS, USERS, CONTEXTS}) {
            check(root, section, what, invalid + expected);
        }
        // No fallback to in-cluster or home-folder defaults when no context resolves: a step must not.
        String contextName = root.path("current-context").asText("");
        JsonNode context = find(root.path("contexts"), contextName).path("context");
        String clusterName = context.path("cluster").asText("");
        JsonNode cluster = find(root.path("clusters"), clusterName).path("cluster");
        String server = cluster.path("server").asText("");
        if (contextName.isEmpty() || server.isEmpty()) {
            throw new ClusterStepException(what + " names no API server: current-context must name a context whose "
                    + "cluster has a server URL");
        }
        String clusterField = "clusters[" + label(clusterName, 0) + "].cluster.";
        if (!isHttpUrl(server)) {
            throw new ClusterStepException(what + ": " + clusterField + "server is not an http(s) URL (accepted: https://HOST:PORT)");
        }
        // Config.empty() has auto-configuration off: no ~/.kube/config, KUBECONFIG, kubernetes.* system
        // properties, environment variables or service account of this JVM end up in the client.
        ConfigBuilder config = new ConfigBuilder(Config.empty()).withAutoConfigure(false).withMasterUrl(server);
        String caData = text(cluster, "certificate-authority-data", what, clusterField);
        if (caData != null) {
            config.withCaCertData(caData);
        }
        if (flag(cluster, "insecure-skip-tls-verify", what, clusterField)) {
            // What kubectl does with it: the server's certificate is not checked at all.
            config.withTrustCerts(true).withDisableHostnameVerification(true);
        }
        String namespace = text(context, "namespace", what, "contexts[" + label(contextName, 0) + "].context.");
        if (namespace != null) {
            config.withNamespace(namespace);
        }
        String userName = context.path("user").asText("");
        if (!userName.isEmpty()) {
            JsonNode user = find(root.path("users"), userName);
            if (user.isMissingNode()) {
                throw new ClusterStepException(what + ": contexts[" + label(contextName, 0) + "].context.user names no entry"
                        + " of users");
            }
            authenticate(config, user.path("user"), what, "users[" + label(userName, 0) + "].user.");
        }
        return config.build();
    }

    private static void authenticate(ConfigBuilder config, JsonNode user, String what, String field) {
        String cert = text(user, "client-certificate-data", what, field);
        String key = text(user, "client-key-data", what, field);
        if ((cert == null) != (key == null)) {
            throw new ClusterStepException(what + ": " + field + (cert == null ? "client-certificate-data" : "client-key-data")
                    + " is missing (accepted: client-certificate-data with client-key-data)");
        }
        if (cert != null) {
            config.withClientCertData(cert).withClientKeyData(key).withClientKeyAlgo(keyAlgorithm(key, what, field));
        }
        String token = text(user, "token", what, field);
        if (token != null) {
            config.withOauthToken(token);
        }
        String username = text(user, "username", what, field);
        String password = text(user, "password", what, field);
        if (username != null || password != null) {
            config.withUsername(username).withPassword(password);
        }
    }

    /**
     * RSA or EC, from the key itself: fabric8 reads a key as RSA unless told otherwise, and its own
     * detection also consults this JVM's kubernetes.client.key.algo setting.
     */
    private static String keyAlgorithm(String keyData, String what, String field) {
        String refused = what + ": " + field + "client-key-data is not an unencrypted RSA or EC private key in base64-encoded PEM";
        byte[] pem;
        try {
            pem = Base64.getMimeDecoder().decode(keyData);
        } catch (IllegalArgumentException e) {
            throw new ClusterStepException(refused);
        }
        String text = new String(pem, StandardCharsets.US_ASCII);
        Arrays.fill(pem, (byte) 0);
        if (text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            return "EC";
        }
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            return "RSA";
        }
        String pkcs8 = "-----BEGIN PRIVATE KEY-----";
        int start = text.indexOf(pkcs8);
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            throw new ClusterStepException(refused);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(start + pkcs8.length(), end));
        } catch (IllegalArgumentException e) {
            throw new ClusterStepException(refused);
        }
        try {
            KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            return "RSA";
        } catch (GeneralSecurityException notRsa) {
            return "EC";
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /** Refuses an entry whose inner object has a field the client would not use as data. */
    private static void check(JsonNode root, Section section, String what, String invalid) {
        JsonNode entries = root.path(section.list);
        if (entries.isMissingNode() || entries.isNull()) {
            return;
        }
        if (!entries.isArray()) {
            throw new ClusterStepException(invalid + " (" + section.list + " is not a list)");
        }
        int position = 0;
        for (JsonNode entry : entries) {
            position++;
            String prefix = section.list + "[" + label(entry.path("name").asText(""), position) + "]." + section.inner;
            JsonNode inner = entry.path(section.inner);
            if (inner.isMissingNode() || inner.isNull()) {
                continue;
            }
            if (!inner.isObject()) {
                throw new ClusterStepException(what + ": " + prefix + " is not a map (accepted: " + section.acceptedForm + ")");
            }
            for (Iterator<String> fields = inner.fieldNames(); fields.hasNext(); ) {
                String name = fields.next();
                if (!section.accepted.contains(name)) {
                    String reason = REASONS.getOrDefault(name, "it is not supported");
                    throw new ClusterStepException(what + ": " + prefix + "." + printable(name) + " is not accepted: " + reason
                            + " (accepted in " + section.list + ": " + section.acceptedForm + ")");
                }
            }
        }
    }

    /** An optional string field; a value of another kind is refused without showing it. */
    private static String text(JsonNode node, String name, String what, String field) {
        JsonNode value = node.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new ClusterStepException(what + ": " + field + name + " is not a non-empty string");
        }
        return value.asText();
    }

    private static boolean flag(JsonNode node, String name, String what, String field) {
        JsonNode value = node.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return false;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        throw new ClusterStepException(what + ": " + field + name + " is not true or false");
    }

    private static boolean isHttpUrl(String server) {
        try {
            URI uri = new URI(server);
            return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** An entry's name as messages show it: names are no secrets, but only a plain one is shown; else its position. */
    private static String label(String name, int position) {
        if (name.matches("[A-Za-z0-9@._:/-]{1,100}")) {
            return name;
        }
        return position > 0 ? "#" + position : "?";
    }

    /** A field name as messages show it (a key could be anything, even pasted secret text). */
    private static String printable(String name) {
        return name.matches("[A-Za-z0-9._-]{1,60}") ? name : "(a field with an unexpected name)";
    }

    private static JsonNode find(JsonNode entries, String name) {
        for (JsonNode entry : entries) {
            if (name.equals(entry.path("name").asText(null))) {
                return entry;
            }
        }
        return MissingNode.getInstance();
    }

    @Override
    public String toString() {
        return file != null ? "kubeconfig file " + file : "kubeconfig content (" + content.length + " characters, not shown)";
    }
}
