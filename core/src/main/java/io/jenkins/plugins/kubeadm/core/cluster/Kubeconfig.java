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
            config = parse(text, "kubeconfig file " + file, file.toAbsolutePath().toString());
        } else {
            config = parse(new String(content), "kubeconfig content", null);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static Config parse(String text, String what, String path) {
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
        String context = root.path("current-context").asText("");
        String cluster = find(root.path("contexts"), context).path("context").path("cluster").asText("");
        String server = find(root.path("clusters"), cluster).path("cluster").path("server").asText("");
        if (context.isEmpty() || server.isEmpty()) {
            throw new ClusterStepException(what + " names no API server: current-context must name a context whose "
                    + "cluster has a server URL");
        }
        try {
            return Config.fromKubeconfig(null, text, path);
        } catch (RuntimeException e) {
            throw new ClusterStepException(invalid + " (" + e.getClass().getSimpleName() + ")" + expected);
        }
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
