package io.jenkins.plugins.kubeadm.steps;

import hudson.Extension;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.kubeadm.agents.ClusterWork;
import io.jenkins.plugins.kubeadm.agents.NodeAgents;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterStepException;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.UpgradeApi;
import io.jenkins.plugins.kubeadm.core.cluster.UpgradeSurvey;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.params.Defaults;
import io.jenkins.plugins.kubeadm.core.params.KubernetesUpgrade.Release;
import io.jenkins.plugins.kubeadm.core.params.UpgradeClusterParams;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.core.phases.UpgradeClusterPhase;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import io.jenkins.plugins.kubeadm.ssh.InventoryNodes;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * upgradeCluster: moves a running cluster to another Kubernetes release (core's {@link
 * UpgradeClusterPhase}): the control-plane agents and the worker agents, or an inventory's lines. The
 * release is checked against kubeadm's rules and every drain dry-run before anything changes; then
 * kubeadm's plan is printed, and the control planes are upgraded one at a time and the workers in
 * batches, each drained, upgraded, restarted and uncordoned. A second run goes on where one stopped.
 */
public final class UpgradeClusterStep extends ClusterStep {

    private String kubernetesVersion;
    private String workerLabel;
    private String aptRepository;
    private String aptKeyUrl;
    private String ignorePreflightErrors;
    private int maxUnavailable;
    private int drainTimeoutSeconds;
    private boolean planOnly;

    @DataBoundConstructor
    public UpgradeClusterStep() {
    }

    public String getKubernetesVersion() {
        return kubernetesVersion;
    }

    /** The exact release to move to, e.g. 1.27.3; required. */
    @DataBoundSetter
    public void setKubernetesVersion(String kubernetesVersion) {
        this.kubernetesVersion = Util.fixEmptyAndTrim(kubernetesVersion);
    }

    public String getWorkerLabel() {
        return workerLabel;
    }

    /** The worker agents to upgrade (a label expression); empty: k8s-worker. */
    @DataBoundSetter
    public void setWorkerLabel(String workerLabel) {
        this.workerLabel = Util.fixEmptyAndTrim(workerLabel);
    }

    public String getAptRepository() {
        return aptRepository;
    }

    /** The target minor's package repository; empty: pkgs.k8s.io's. */
    @DataBoundSetter
    public void setAptRepository(String aptRepository) {
        this.aptRepository = Util.fixEmptyAndTrim(aptRepository);
    }

    public String getAptKeyUrl() {
        return aptKeyUrl;
    }

    @DataBoundSetter
    public void setAptKeyUrl(String aptKeyUrl) {
        this.aptKeyUrl = Util.fixEmptyAndTrim(aptKeyUrl);
    }

    public String getIgnorePreflightErrors() {
        return ignorePreflightErrors;
    }

    @DataBoundSetter
    public void setIgnorePreflightErrors(String ignorePreflightErrors) {
        this.ignorePreflightErrors = Util.fixEmptyAndTrim(ignorePreflightErrors);
    }

    public int getMaxUnavailable() {
        return maxUnavailable;
    }

    /** How many workers are drained and upgraded at once; 0: one. */
    @DataBoundSetter
    public void setMaxUnavailable(int maxUnavailable) {
        this.maxUnavailable = maxUnavailable;
    }

    public int getDrainTimeoutSeconds() {
        return drainTimeoutSeconds;
    }

    /** How long each node's pods may take to leave it; 0: lib/defaults.env's DRAIN_TIMEOUT_SECONDS. */
    @DataBoundSetter
    public void setDrainTimeoutSeconds(int drainTimeoutSeconds) {
        this.drainTimeoutSeconds = drainTimeoutSeconds;
    }

    public boolean isPlanOnly() {
        return planOnly;
    }

    /** Only check, dry-run the drains and print kubeadm's plan: for an approval before the upgrade. */
    @DataBoundSetter
    public void setPlanOnly(boolean planOnly) {
        this.planOnly = planOnly;
    }

    @Override
    int defaultTimeoutMinutes() {
        return 60;
    }

    UpgradeClusterParams params() {
        return UpgradeClusterParams.of(kubernetesVersion).withRepository(aptRepository, aptKeyUrl)
                .withIgnorePreflightErrors(ignorePreflightErrors).withMaxUnavailable(maxUnavailable == 0 ? 1 : maxUnavailable)
                .withDrainTimeoutSeconds(drainTimeoutSeconds == 0 ? Defaults.DRAIN_TIMEOUT_SECONDS : drainTimeoutSeconds)
                .withPlanOnly(planOnly);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        UpgradeClusterParams params = validated(this::params);
        InventorySpec inventory = checkedInventory(null);
        if (inventory.given() && workerLabel != null) {
            validated(() -> {
                throw new io.jenkins.plugins.kubeadm.core.params.ParameterException("workerLabel",
                        "cannot go with an inventory, whose worker lines are upgraded", "workerLabel with agents, or an inventory");
            });
        }
        return new Execution(context, this, params, effectiveTimeoutMinutes());
    }

    /** The survey, as text read back strictly here. */
    record SurveyWork(long drainTimeoutSeconds) implements ClusterWork {
        @Override
        public String run(ClusterSteps cluster) {
            return api(cluster, drainTimeoutSeconds).survey().encode();
        }

        @Override
        public int maxReplyChars() {
            return MAX_LIST_CHARS;
        }
    }

    /** The drains' dry run: each pod that would block them, separated by tabs (the reply is one line). */
    record DrainBlockersWork(ArrayList<String> nodes, long drainTimeoutSeconds) implements ClusterWork {
        @Override
        public String run(ClusterSteps cluster) {
            return String.join("\t", api(cluster, drainTimeoutSeconds).drainBlockers(nodes).stream()
                    .map(line -> line.replaceAll("[\\t\\r\\n]", " ")).toList());
        }

        @Override
        public int maxReplyChars() {
            return MAX_LIST_CHARS;
        }
    }

    record DrainWork(String node, String target, long drainTimeoutSeconds) implements ClusterWork {
        @Override
        public String run(ClusterSteps cluster) {
            api(cluster, drainTimeoutSeconds).drain(node, Release.reported(target));
            return DescriptorImpl.NAME + ": " + node + " drained";
        }
    }

    record UncordonWork(String node, String target, long drainTimeoutSeconds) implements ClusterWork {
        @Override
        public String run(ClusterSteps cluster) {
            api(cluster, drainTimeoutSeconds).uncordonWhenReady(node, Release.reported(target));
            return DescriptorImpl.NAME + ": " + node + " is at " + target;
        }
    }

    /** About 250 Nodes' survey lines, or as many blocked pods. */
    static final int MAX_LIST_CHARS = 64 * 1024;

    static UpgradeApi api(ClusterSteps cluster, long drainTimeoutSeconds) {
        return cluster.upgradeApi(Duration.ofSeconds(drainTimeoutSeconds), Duration.ofSeconds(Defaults.NODE_READY_TIMEOUT_SECONDS));
    }


    /** upgradeCluster's API calls, each one piece of work where the step reaches the cluster. */
    private record RemoteUpgradeApi(ClusterAccess access, long drainTimeoutSeconds) implements UpgradeApi {

        @Override
        public UpgradeSurvey survey() {
            return UpgradeSurvey.decode(call(new SurveyWork(drainTimeoutSeconds)));
        }

        @Override
        public List<String> drainBlockers(List<String> nodes) {
            String lines = call(new DrainBlockersWork(new ArrayList<>(nodes), drainTimeoutSeconds));
            return lines.isEmpty() ? List.of() : List.of(lines.split("\t"));
        }

        @Override
        public void drain(String node, Release target) {
            call(new DrainWork(node, target.toString(), drainTimeoutSeconds));
        }

        @Override
        public void uncordonWhenReady(String node, Release target) {
            call(new UncordonWork(node, target.toString(), drainTimeoutSeconds));
        }

        private String call(ClusterWork work) {
            try {
                return access.perform(work);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterStepException(DescriptorImpl.NAME + ": interrupted", e);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new ClusterStepException(e.getMessage(), e);
            }
        }
    }

    private static final class Execution extends KubeadmStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final transient UpgradeClusterStep step;
        private final transient UpgradeClusterParams params;

        Execution(StepContext context, UpgradeClusterStep step, UpgradeClusterParams params, long timeoutMinutes) {
            super(context, DescriptorImpl.NAME, timeoutMinutes);
            this.step = step;
            this.params = params;
        }

        @Override
        Void execute(Run<?, ?> run, TaskListener listener, BuildStepLogs logs, Cancellation cancellation) throws Exception {
            InventorySpec inventory = step.inventorySpec();
            // Whether the build may reach the cluster is settled before any node is asked anything.
            step.admitClusterAccess(inventory.given(), DescriptorImpl.NAME, access(), currentAgent());
            if (inventory.given()) {
                try (InventoryNodes nodes = inventoryNodes(inventory, run, logs)) {
                    UpgradeApi api = new RemoteUpgradeApi(work -> step.perform(work, run, logs, DescriptorImpl.NAME, nodes, cancellation,
                            access(), currentAgent()), params.drainTimeoutSeconds());
                    runPhase(new UpgradeClusterPhase(params, api, "inventory"), nodes.clusterNodes(DescriptorImpl.NAME), logs, cancellation, null);
                }
                return null;
            }
            List<ScriptRunner> controlPlanes = NodeAgents.select(step.controlPlaneLabel(), null, DescriptorImpl.NAME, access());
            List<ScriptRunner> all = new ArrayList<>(controlPlanes);
            List<String> planeNames = controlPlanes.stream().map(ScriptRunner::nodeName).toList();
            for (ScriptRunner worker : NodeAgents.select(step.workerLabel == null ? Defaults.WORKER_LABEL : step.workerLabel, null,
                    DescriptorImpl.NAME, access())) {
                if (!planeNames.contains(worker.nodeName())) {
                    all.add(worker);
                }
            }
            UpgradeApi api = new RemoteUpgradeApi(work -> step.perform(work, run, logs, DescriptorImpl.NAME, access(), currentAgent()),
                    params.drainTimeoutSeconds());
            runPhase(new UpgradeClusterPhase(params, api, "workerLabel"), ClusterNodes.pickedWith(all, controlPlanes, NodeAgents::roleOf), logs,
                    cancellation, null);
            return null;
        }
    }

    @Extension
    public static final class DescriptorImpl extends KubeadmStepDescriptor {
        static final String NAME = "upgradeCluster";

        @Override
        public String getFunctionName() {
            return NAME;
        }

        @Override
        public String getDisplayName() {
            return "kubeadm: upgrade the cluster to another Kubernetes release (control planes, then workers in batches)";
        }
    }
}
