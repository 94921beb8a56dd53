package io.jenkins.plugins.kubeadm.core.secrets;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the secrets a kubeconfig holds: the base64 {@code client-key-data} and
 * {@code client-certificate-data}, {@code token}, {@code password}, auth-provider tokens and
 * client secrets, and the body lines of the decoded private key (PEM text is logged line by line,
 * e.g. when someone cats a key file in a diagnostics section).
 */
public final class KubeconfigSecrets {

    /** Keys whose values are credentials wherever they appear (users[].user and auth-provider config). */
    static final Set<String> SECRET_KEYS = Set.of(
            "client-key-data", "client-certificate-data", "token", "password",
            "id-token", "refresh-token", "access-token", "client-secret");

    /** {@code key: value} on one line; block scalars, anchors, aliases and flow collections are left to the YAML parser. */
    private static final Pattern SECRET_LINE = Pattern.compile(
            "^[ \\t-]*\"?(client-key-data|client-certificate-data|token|password|id-token|refresh-token|access-token|client-secret)\"?"
                    + "[ \\t]*:[ \\t]*(?:\"([^\"\\r\\n]*)\"|'([^'\\r\\n]*)'|([^\\s#\"'|>&*{\\[][^\\s#]*))",
            Pattern.MULTILINE);

    private KubeconfigSecrets() {
    }

    /**
     * All secrets in the kubeconfig text, however long. Reads it both as YAML and line by line, so a
     * file SnakeYAML cannot read (truncated, hand-edited) still gives up its one-line credentials;
     * parse errors are swallowed because their messages quote the document.
     */
    public static Set<String> of(String kubeconfig) {
        Set<String> secrets = new LinkedHashSet<>();
        if (kubeconfig == null || kubeconfig.isEmpty()) {
            return secrets;
        }
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(true);
            options.setMaxAliasesForCollections(50);
            for (Object document : new Yaml(new SafeConstructor(options)).loadAll(kubeconfig)) {
                collect(document, secrets);
            }
        } catch (RuntimeException unreadable) {
            // SnakeYAML's messages quote the offending text; the line scan below still finds the values.
        }
        Matcher m = SECRET_LINE.matcher(kubeconfig);
        while (m.find()) {
            String value = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4);
            addValue(m.group(1), value, secrets);
        }
        return secrets;
    }

    private static void collect(Object node, Set<String> secrets) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getKey() instanceof String key && SECRET_KEYS.contains(key) && e.getValue() instanceof String value) {
                    addValue(key, value, secrets);
                } else {
                    collect(e.getValue(), secrets);
                }
            }
        } else if (node instanceof List<?> list) {
            for (Object item : list) {
                collect(item, secrets);
            }
        }
    }

    private static void addValue(String key, String value, Set<String> secrets) {
        String trimmed = value.trim();
        if (trimmed.isEmpty()) {
            return;
        }
        secrets.add(trimmed);
        if (key.equals("client-key-data")) {
            secrets.addAll(pemBodyLines(trimmed));
        }
    }

    /** The base64 lines between the BEGIN and END lines of the decoded PEM; none if it does not decode. */
    static Set<String> pemBodyLines(String base64Pem) {
        Set<String> lines = new LinkedHashSet<>();
        String pem;
        try {
            pem = new String(Base64.getMimeDecoder().decode(base64Pem), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return lines;
        }
        for (String line : pem.split("\\r?\\n")) {
            String body = line.trim();
            if (!body.isEmpty() && !body.startsWith("-----") && !body.contains(":")) {
                lines.add(body);
            }
        }
        return lines;
    }
}
