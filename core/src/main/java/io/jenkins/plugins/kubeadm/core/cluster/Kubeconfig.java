package io.jenkins.plugins.kubeadm.core.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * How a step reaches the cluster: a kubeconfig file, or kubeconfig content (for instance from a
 * Jenkins secret file credential). Content is a secret: it appears in no message, no toString and
 * no log; a kubeconfig that cannot be read is reported without quoting it.
 */
public final class Kubeconfig {

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
        Config config;
        if (file != null) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ClusterStepException("cannot read kubeconfig file " + file + ": " + e.getClass().getSimpleName());
            }
            config = parse(text, "kubeconfig file " + file);
        } else {
            config = parse(new String(content), "kubeconfig content");
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * What a step accepts of a kubeconfig's selected user and cluster: data only. fabric8's own kubeconfig
     * reader runs a user's {@code exec} command (and auth-provider plugins) while it reads the file,
     * and follows file paths and proxies; a kubeconfig may come from a credential, a node or an agent,
     * so none of that may happen where it is read.
     */
    static final Set<String> USER_FIELDS = Set.of("client-certificate-data", "client-key-data", "token", "username", "password");
    static final Set<String> CLUSTER_FIELDS = Set.of("server", "certificate-authority-data", "insecure-skip-tls-verify", "extensions");
    static final Set<String> CONTEXT_FIELDS = Set.of("cluster", "user", "namespace", "extensions");
    private static final String ACCEPTED = "accepted: a server URL with certificate-authority-data, and client-certificate-data"
            + " with client-key-data, or a token";

    private static Config parse(String text, String what) {
        String invalid = what + " is not a valid kubeconfig";
        String expected = "; expected YAML with clusters, users, contexts and current-context";
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(text);
        } catch (IOException | RuntimeException e) {
            // The parser's message can quote the offending text, which may hold a token or key.
            throw new ClusterStepException(invalid + " (not YAML)" + expected);
        }
        if (root == null || !root.isObject()) {
            throw new ClusterStepException(invalid + expected);
        }
        // fabric8 falls back to in-cluster defaults when no context resolves; a step must not.
        String contextName = root.path("current-context").asText("");
        JsonNode context = find(root.path("contexts"), contextName).path("context");
        String clusterName = context.path("cluster").asText("");
        String userName = context.path("user").asText("");
        JsonNode cluster = find(root.path("clusters"), clusterName).path("cluster");
        String server = cluster.path("server").asText("");
        if (contextName.isEmpty() || server.isEmpty()) {
            throw new ClusterStepException(what + " names no API server: current-context must name a context whose "
                    + "cluster has a server URL");
        }
        JsonNode user = find(root.path("users"), userName).path("user");
        onlyFields(what, "contexts[" + contextName + "].context", context, CONTEXT_FIELDS);
        onlyFields(what, "clusters[" + clusterName + "].cluster", cluster, CLUSTER_FIELDS);
        onlyFields(what, "users[" + userName + "].user", user, USER_FIELDS);
        if (!server.startsWith("https://") && !server.startsWith("http://")) {
            throw new ClusterStepException(what + ": clusters[" + clusterName + "].cluster.server is not an http(s) URL");
        }
        // Config.empty(): no auto-configuration from this machine's ~/.kube/config, environment or service account.
        Config config = Config.empty();
        config.setMasterUrl(server);
        config.setCaCertData(text(cluster, "certificate-authority-data"));
        if (cluster.path("insecure-skip-tls-verify").asBoolean(false)) {
            config.setTrustCerts(true);
            config.setDisableHostnameVerification(true);
        }
        config.setClientCertData(text(user, "client-certificate-data"));
        config.setClientKeyData(text(user, "client-key-data"));
        config.setOauthToken(text(user, "token"));
        config.setUsername(text(user, "username"));
        config.setPassword(text(user, "password"));
        String namespace = text(context, "namespace");
        config.setNamespace(namespace != null ? namespace : "default");
        return config;
    }

    /** Refuses, naming it, any field of the entry outside {@code accepted} (never its value: it may be a secret). */
    private static void onlyFields(String what, String entry, JsonNode node, Set<String> accepted) {
        if (!node.isObject()) {
            return;
        }
        for (java.util.Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!accepted.contains(field)) {
                String why = switch (field) {
                    case "exec", "auth-provider" -> " (it would run or load code where the kubeconfig is read)";
                    case "client-certificate", "client-key", "certificate-authority", "tokenFile" -> " (a file path on the machine"
                            + " that reads the kubeconfig; give the data inline)";
                    case "proxy-url" -> " (a proxy the connection would go through)";
                    default -> "";
                };
                throw new ClusterStepException(what + ": " + entry + "." + field + " is not accepted" + why + " (" + ACCEPTED + ")");
            }
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.asText().isEmpty() ? value.asText() : null;
    }

    private static JsonNode find(JsonNode entries, String name) {
        for (JsonNode entry : entries) {
            if (name.equals(entry.path("name").asText(null))) {
                return entry;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    @Override
    public String toString() {
        return file != null ? "kubeconfig file " + file : "kubeconfig content (" + content.length + " characters, not shown)";
    }
}
