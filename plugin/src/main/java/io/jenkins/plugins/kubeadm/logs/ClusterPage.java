package io.jenkins.plugins.kubeadm.logs;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.model.Action;
import hudson.model.Run;
import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import io.jenkins.plugins.kubeadm.core.logs.StepIndex;
import io.jenkins.plugins.kubeadm.core.logs.StepLog;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import jenkins.model.TransientActionFactory;

/**
 * The cluster page of a build that ran kubeadm-pipeline steps: a grid of nodes by steps, each cell the
 * step's outcome and time linked to its archived log, and the facts the steps learned about the
 * cluster. It reads only what the controller wrote beside the step logs (core's {@link StepIndex} and
 * {@link ClusterFacts}): names, times, outcomes and facts, no node output and no secret.
 */
public final class ClusterPage implements Action {

    static final String URL_NAME = "kubeadm-cluster";

    private final Run<?, ?> run;
    private final Path outputDir;
    private List<StepIndex.Entry> entries;
    private Map<String, String> facts;

    ClusterPage(Run<?, ?> run, Path outputDir) {
        this.run = run;
        this.outputDir = outputDir;
    }

    /** One cell of the grid: every run of one step on one node, usually one. */
    public record Cell(List<StepIndex.Entry> runs) {

        public boolean isFailed() {
            return runs.stream().anyMatch(r -> r.outcome() != StepLog.Outcome.SUCCEEDED);
        }
    }

    /**
     * A node's row: its name, what the steps learned about it, and its Kubernetes Node's kubelet version and readiness as
     * verifyCluster last saw them (null when it did not run or did not see this node).
     */
    public record NodeRow(String name, String role, String address, String hostname, String kubelet, String ready, List<Cell> cells) {
    }

    public Run<?, ?> getRun() {
        return run;
    }

    @Override
    public String getIconFileName() {
        return "symbol-cube";
    }

    @Override
    public String getDisplayName() {
        return "Kubernetes cluster";
    }

    @Override
    public String getUrlName() {
        return URL_NAME;
    }

    /** The steps in the order they ended; read once per page (a new action is made for each request). */
    public synchronized List<StepIndex.Entry> getEntries() {
        if (entries == null) {
            try {
                entries = StepIndex.read(outputDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return entries;
    }

    /** The steps as columns, in the order they first ended. */
    public List<String> getSteps() {
        Set<String> steps = new LinkedHashSet<>();
        getEntries().forEach(e -> steps.add(e.step()));
        return List.copyOf(steps);
    }

    /** The nodes as rows, in the order they first appear, each with one cell per step (empty where the step did not run). */
    public List<NodeRow> getNodes() {
        List<StepIndex.Entry> entries = getEntries();
        List<String> steps = getSteps();
        Map<String, String> facts = getAllFacts();
        Map<String, List<StepIndex.Entry>> byNode = new LinkedHashMap<>();
        entries.forEach(e -> byNode.computeIfAbsent(e.node(), n -> new ArrayList<>()).add(e));
        Set<String> kubernetesNodes = kubernetesNodeNames(facts);
        List<NodeRow> rows = new ArrayList<>();
        byNode.forEach((node, runs) -> {
            List<Cell> cells = new ArrayList<>();
            for (String step : steps) {
                cells.add(new Cell(runs.stream().filter(r -> r.step().equals(step)).toList()));
            }
            String hostname = facts.get(ClusterFacts.nodeKey(node, "hostname"));
            // Kubernetes names a Node after its host in lowercase; an agent or inventory line may be named otherwise.
            String kubernetesNode = hostname != null && kubernetesNodes.contains(hostname.toLowerCase(Locale.ROOT))
                    ? hostname.toLowerCase(Locale.ROOT) : node.toLowerCase(Locale.ROOT);
            kubernetesNodes.remove(kubernetesNode);
            rows.add(new NodeRow(node, facts.get(ClusterFacts.nodeKey(node, "role")), facts.get(ClusterFacts.nodeKey(node, "address")),
                    hostname, facts.get(ClusterFacts.kubernetesNodeKey(kubernetesNode, "kubelet")),
                    facts.get(ClusterFacts.kubernetesNodeKey(kubernetesNode, "ready")), cells));
        });
        // Nodes of the cluster that no step of this build ran on still show their state.
        for (String kubernetesNode : kubernetesNodes) {
            rows.add(new NodeRow(kubernetesNode, null, null, null, facts.get(ClusterFacts.kubernetesNodeKey(kubernetesNode, "kubelet")),
                    facts.get(ClusterFacts.kubernetesNodeKey(kubernetesNode, "ready")), steps.stream().map(s -> new Cell(List.of())).toList()));
        }
        // Control planes first, then by name: steps on several nodes end in any order.
        rows.sort(Comparator.comparing((NodeRow row) -> !Inventory.CONTROL_PLANE.equals(row.role())).thenComparing(NodeRow::name));
        return rows;
    }

    private static Set<String> kubernetesNodeNames(Map<String, String> facts) {
        Set<String> names = new TreeSet<>();
        for (String key : facts.keySet()) {
            if (key.startsWith(ClusterFacts.KUBERNETES_NODE_PREFIX)) {
                String rest = key.substring(ClusterFacts.KUBERNETES_NODE_PREFIX.length());
                names.add(rest.substring(0, rest.lastIndexOf('.')));
            }
        }
        return names;
    }

    /** The cluster's own facts (not a node's), by a readable name. */
    public Map<String, String> getFacts() {
        Map<String, String> shown = new LinkedHashMap<>();
        getAllFacts().forEach((key, value) -> {
            if (!key.startsWith("node.") && !key.startsWith(ClusterFacts.KUBERNETES_NODE_PREFIX)) {
                shown.put(FACT_NAMES.getOrDefault(key, key), value);
            }
        });
        return shown;
    }

    private synchronized Map<String, String> getAllFacts() {
        if (facts == null) {
            try {
                facts = ClusterFacts.read(outputDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return facts;
    }

    public long getFailedCount() {
        return getEntries().stream().filter(e -> e.outcome() != StepLog.Outcome.SUCCEEDED).count();
    }

    /** A duration as people read it: 850 ms, 12 s, 3 min 5 s. */
    public String duration(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        long seconds = d.toSeconds();
        return seconds < 60 ? seconds + " s" : seconds / 60 + " min " + seconds % 60 + " s";
    }

    private static final Map<String, String> FACT_NAMES = Map.of(
            "kubernetesVersion", "Kubernetes version",
            "apiServer", "API server",
            "podNetwork", "Pod network",
            "serviceNetwork", "Service network",
            "cni", "CNI",
            "certificatesExpire", "Certificates expire first");

    /** Shows the page on every build whose steps wrote an index, without storing anything in build.xml. */
    @Extension
    @SuppressWarnings("rawtypes")
    public static final class Factory extends TransientActionFactory<Run> {

        @Override
        public Class<Run> type() {
            return Run.class;
        }

        @NonNull
        @Override
        public Collection<? extends Action> createFor(@NonNull Run target) {
            File outputDir = new File(target.getRootDir(), BuildStepLogs.WORK_FOLDER);
            if (!new File(outputDir, StepIndex.FILE).isFile()) {
                return List.of();
            }
            return List.of(new ClusterPage(target, outputDir.toPath()));
        }
    }

    /** The archived log of an entry, as a link relative to this page. */
    public String logLink(StepIndex.Entry entry) {
        return "../artifact/" + entry.log();
    }

    /** ok, FAILED, or unfinished (a step interrupted before it recorded an outcome). */
    public String outcomeText(StepIndex.Entry entry) {
        return switch (entry.outcome()) {
            case SUCCEEDED -> "ok";
            case FAILED -> "FAILED";
            case RUNNING -> "unfinished";
        };
    }
}
