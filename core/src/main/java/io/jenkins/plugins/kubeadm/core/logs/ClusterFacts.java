package io.jenkins.plugins.kubeadm.core.logs;

import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code cluster.tsv} beside the {@code kubeadm-logs} folder: what the steps learned about the cluster (Kubernetes version, API
 * server, networks, CNI, each node's role and address, each Kubernetes Node's kubelet version and readiness), one {@code key<TAB>value} line per fact, the
 * last line of a key winning. Values pass the run's redactor on the way in; keys are our own names.
 */
public final class ClusterFacts {

    public static final String FILE = "cluster.tsv";
    private static final Pattern KEY = Pattern.compile("[a-z][a-zA-Z0-9._-]{0,200}");
    private static final int MAX_VALUE = 500;
    private static final int MAX_LINES = 10_000;

    /** Keys of one node's facts: {@code node.<name>.<fact>}, the name as its log folder spells it. */
    public static String nodeKey(String node, String fact) {
        return "node." + StepLogs.directoryName(node) + "." + fact;
    }

    /**
     * Keys of one Kubernetes Node's facts as the API server reported them: {@code kubernetesNode.<name>.<fact>}. A Node's
     * name is its hostname, which may differ from the agent or inventory name of {@link #nodeKey}.
     */
    public static String kubernetesNodeKey(String nodeName, String fact) {
        return KUBERNETES_NODE_PREFIX + nodeName + "." + fact;
    }

    public static final String KUBERNETES_NODE_PREFIX = "kubernetesNode.";

    private final Path outputDir;
    private final SecretRedactor redactor;

    public ClusterFacts(StepLogs logs) {
        this.outputDir = logs.outputDir();
        this.redactor = logs.redactor();
    }

    /** Records a fact; a null value records nothing. */
    public void record(String key, Object value) {
        if (value == null) {
            return;
        }
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a fact key: " + key);
        }
        String text = redactor.redact(value.toString()).replaceAll("[\\t\\r\\n]", " ");
        if (text.length() > MAX_VALUE) {
            text = text.substring(0, MAX_VALUE);
        }
        synchronized (ClusterFacts.class) {
            try {
                Files.createDirectories(outputDir);
                Files.writeString(outputDir.resolve(FILE), key + "\t" + text + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record " + key + " in " + FILE, e);
            }
        }
    }

    /** The facts recorded in an output folder (the one holding {@code kubeadm-logs}), by key in the order first recorded. */
    public static Map<String, String> read(Path outputDir) throws IOException {
        Map<String, String> facts = new LinkedHashMap<>();
        Path file = outputDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return facts;
        }
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines.limit(MAX_LINES)::iterator) {
                int tab = line.indexOf('\t');
                if (tab > 0 && KEY.matcher(line.substring(0, tab)).matches()) {
                    facts.put(line.substring(0, tab), line.substring(tab + 1));
                }
            }
        }
        return facts;
    }
}
