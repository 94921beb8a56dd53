package io.jenkins.plugins.kubeadm.core.plan;

import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import io.jenkins.plugins.kubeadm.core.cluster.AdminKubeconfig;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.CniOptions;
import io.jenkins.plugins.kubeadm.core.cluster.GpuPluginOptions;
import io.jenkins.plugins.kubeadm.core.cluster.Kubeconfig;
import io.jenkins.plugins.kubeadm.core.cluster.WorkloadOptions;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A kubeadmCluster plan run on an inventory's nodes without Jenkins: the phases the plan lists, in
 * {@link Phase#ORDER}, each with the core code the matching Pipeline step runs. The join command
 * stays in memory between the control plane and the workers, and the admin kubeconfig is fetched over
 * SSH and kept in memory for the phases that talk to the API server.
 */
public final class ClusterRun implements AutoCloseable {

    private final KubeadmClusterPlan plan;
    private final Inventory inventory;
    private final Map<String, ? extends ScriptRunner> runners;
    private final StepLogs logs;
    private final KubeadmSteps steps;
    private final Consumer<String> say;
    private final Duration timeout;
    private final Cancellation cancellation;
    private final LineSink console;
    private KubeadmSteps.InitResult init;
    private ClusterSteps cluster;

    /**
     * @param runners one per inventory node, by its name
     * @param console where the nodes' and the cluster's lines are echoed (redacted by the logs' redactor)
     * @param say     where the run's own one-line reports go
     */
    public ClusterRun(KubeadmClusterPlan plan, Inventory inventory, Map<String, ? extends ScriptRunner> runners, StepLogs logs,
                      LineSink console, Consumer<String> say, Duration timeout, Cancellation cancellation) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.runners = Map.copyOf(runners);
        this.logs = Objects.requireNonNull(logs, "logs");
        this.console = Objects.requireNonNull(console, "console");
        this.say = Objects.requireNonNull(say, "say");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.cancellation = Objects.requireNonNull(cancellation, "cancellation");
        this.steps = new KubeadmSteps(logs, console, timeout, cancellation);
    }

    /** Checks, before any node is touched, that these phases can run together in one run. */
    public static void checkPhases(List<Phase> phases) {
        if (phases.contains(Phase.WORKERS) && !phases.contains(Phase.CONTROL_PLANE)) {
            throw new ParameterException("--phases", "has workers without control-plane",
                    "control-plane with workers: the join command kubeadmInit makes stays in this run's memory");
        }
    }

    /** Runs the phases, in the one order, whatever order they are given in. */
    public void run(List<Phase> phases) {
        checkPhases(phases);
        for (Phase phase : Phase.ORDER) {
            if (phases.contains(phase)) {
                say.accept("==> " + phase.step());
                run(phase);
            }
        }
    }

    private void run(Phase phase) {
        List<ScriptRunner> all = nodes(null);
        switch (phase) {
            case RESET -> steps.resetNodes(all);
            case PREPARE -> {
                String hosts = plan.given("clusterHosts") != null ? plan.given("clusterHosts") : emptyToNull(inventory.clusterHosts());
                steps.prepareNodes(all, node -> PrepareNodeParams.of(roleOf(node), node, hosts, plan.given("preflightIgnore")))
                        .forEach((node, id) -> say.accept("prepareNode: " + node + " ready as " + roleOf(node) + " (" + id.primaryIp() + ")"));
            }
            case RUNTIME -> steps.installRuntime(all, plan.runtimeParams());
            case CONTROL_PLANE -> {
                init = steps.kubeadmInit(controlPlane(), plan.initParams());
                say.accept("kubeadmInit: " + init.node() + (init.initialized() ? " initialized" : " already ran this control plane")
                        + ", API server " + init.apiServerEndpoint());
            }
            case CNI -> {
                CniOptions options = new CniOptions().cni(plan.given("cni")).version(plan.given("cniVersion")).podCidr(plan.given("podNetworkCidr"))
                        .iface(plan.given("cniIface")).manifestUrl(plan.given("cniManifestUrl")).sha256(plan.given("cniSha256"))
                        .imageRegistry(plan.given("cniImageRegistry"));
                say.accept("applyCni: " + cluster().applyCni(options.timeout(timeout)).cni() + " applied, every node Ready");
            }
            case WORKERS -> {
                List<ScriptRunner> workers = nodes(Inventory.WORKER);
                if (!workers.isEmpty()) {
                    Integer seconds = plan.number("discoveryTimeoutSeconds");
                    steps.joinWorkers(workers, init.joinCommand(), seconds == null ? KubeadmSteps.DEFAULT_DISCOVERY_TIMEOUT
                            : Duration.ofSeconds(seconds), KubeadmInitParams.preflightChecks(plan.given("ignorePreflightErrors")), true);
                }
                if (!plan.enabled("keepToken")) {
                    steps.deleteJoinToken(controlPlane(), init.joinCommand().tokenId());
                }
                say.accept("joinWorkers: " + workers.size() + " worker(s) joined and Ready");
            }
            case WORKLOAD -> {
                WorkloadOptions options = new WorkloadOptions().manifestText(plan.given("workloadManifestText"))
                        .rollbackOnFailure(plan.enabled("rollbackOnFailure")).timeout(timeout);
                if (plan.given("workloadNamespace") != null) {
                    options.namespace(plan.given("workloadNamespace"));
                }
                if (plan.given("smokeTarget") != null) {
                    options.smokeTarget(plan.given("smokeTarget"));
                }
                if (plan.given("smokePath") != null) {
                    options.smokePath(plan.given("smokePath"));
                }
                say.accept("deployWorkload: rolled out " + cluster().deployWorkload(options).rolledOut());
            }
            case GPU -> {
                List<ScriptRunner> gpuNodes = nodes(Inventory.WORKER);
                steps.gpuNodes(gpuNodes, plan.given("minDriverVersion"), plan.given("gpuRuntime"));
                GpuPluginOptions options = new GpuPluginOptions().gpuNodes(gpuNodes.stream().map(ScriptRunner::nodeName).toList())
                        .runtime(plan.given("gpuRuntime")).manifestUrl(plan.given("gpuManifestUrl"))
                        .imageRegistry(plan.given("gpuImageRegistry")).smokeImage(plan.given("gpuSmokeImage")).timeout(timeout);
                say.accept("installGpuPlugin: GPUs per node " + cluster().installGpuPlugin(options).gpusPerNode());
            }
        }
    }

    /** The API server, through the admin kubeconfig fetched from the control plane once and kept in memory. */
    private ClusterSteps cluster() {
        if (cluster == null) {
            try {
                String content = AdminKubeconfig.fetch(controlPlane(), console, Duration.ofMinutes(2), cancellation);
                logs.redactor().addKubeconfig(content);
                cluster = ClusterSteps.using(Kubeconfig.fromContent(content).connect(), AddonCatalog.load(),
                        ClusterSteps.progressTo(console, "cluster"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot fetch the admin kubeconfig from " + controlPlane().nodeName(), e);
            }
        }
        return cluster;
    }

    private ScriptRunner controlPlane() {
        return nodes(Inventory.CONTROL_PLANE).get(0);
    }

    /** The runners of the nodes with this role, in inventory order; every node for null. */
    private List<ScriptRunner> nodes(String role) {
        List<ScriptRunner> selected = new ArrayList<>();
        for (Inventory.Entry e : inventory.nodes()) {
            if (role == null || role.equals(e.role())) {
                selected.add(runners.get(e.name()));
            }
        }
        return selected;
    }

    private String roleOf(String node) {
        return inventory.nodes().stream().filter(e -> e.name().equals(node)).findFirst().orElseThrow().role();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
        }
        steps.close();
    }
}
