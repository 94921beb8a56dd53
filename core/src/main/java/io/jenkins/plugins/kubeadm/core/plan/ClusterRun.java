package io.jenkins.plugins.kubeadm.core.plan;

import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import io.jenkins.plugins.kubeadm.core.cluster.AdminKubeconfig;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.Kubeconfig;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.core.phases.Phase;
import io.jenkins.plugins.kubeadm.core.phases.PhaseContext;
import io.jenkins.plugins.kubeadm.core.phases.PhaseRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A kubeadmCluster plan run on an inventory's nodes without Jenkins: the plan's phase objects run by
 * the {@link PhaseRunner}, as the plugin's steps run them one at a time. The join command stays in
 * memory between the control plane and the workers, and the admin kubeconfig is fetched over SSH and
 * kept in memory for the phases that talk to the API server.
 */
public final class ClusterRun implements AutoCloseable {

    private final KubeadmClusterPlan plan;
    private final ClusterNodes nodes;
    private final StepLogs logs;
    private final KubeadmSteps steps;
    private final Consumer<String> say;
    private final Duration timeout;
    private final Cancellation cancellation;
    private final LineSink console;
    private ClusterSteps cluster;

    /**
     * @param runners one per inventory node, by its name
     * @param console where the nodes' and the cluster's lines are echoed (redacted by the logs' redactor)
     * @param say     where the run's own one-line reports go
     */
    public ClusterRun(KubeadmClusterPlan plan, Inventory inventory, Map<String, ? extends ScriptRunner> runners, StepLogs logs,
                      LineSink console, Consumer<String> say, Duration timeout, Cancellation cancellation) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.nodes = ClusterNodes.of(Objects.requireNonNull(inventory, "inventory"), Map.copyOf(runners), "kubeadmCluster");
        this.logs = Objects.requireNonNull(logs, "logs");
        this.console = Objects.requireNonNull(console, "console");
        this.say = Objects.requireNonNull(say, "say");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.cancellation = Objects.requireNonNull(cancellation, "cancellation");
        this.steps = new KubeadmSteps(logs, console, timeout, cancellation);
    }

    /** Checks, before any node is touched, that these phases can run together in one run (named as the option --phases). */
    public static void checkPhases(List<Phase> phases) {
        try {
            PhaseRunner.check(Phase.ORDER.stream().filter(phases::contains).toList(), Set.of());
        } catch (ParameterException e) {
            throw e.renamed("--phases");
        }
    }

    /** Runs the phases, in the one order, whatever order they are given in. */
    public void run(List<Phase> phases) {
        checkPhases(phases);
        if (phases.contains(Phase.CONTROL_PLANE)) {
            plan.checkControlPlaneCount(nodes.controlPlanes().size(), "inventory");
        }
        PhaseRunner.run(plan.clusterPhases(phases, timeout), new PhaseContext(nodes, steps, say, this::cluster));
    }

    /** The API server, through the admin kubeconfig fetched from the control plane once and kept in memory. */
    private ClusterSteps cluster() {
        if (cluster == null) {
            ScriptRunner controlPlane = nodes.controlPlane();
            try {
                String content = AdminKubeconfig.fetch(controlPlane, console, Duration.ofMinutes(2), cancellation);
                logs.redactor().addKubeconfig(content);
                cluster = ClusterSteps.using(Kubeconfig.fromContent(content).connect(), AddonCatalog.load(),
                        ClusterSteps.progressTo(console, "cluster"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot fetch the admin kubeconfig from " + controlPlane.nodeName(), e);
            }
        }
        return cluster;
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
        }
        steps.close();
    }
}
