package io.jenkins.plugins.kubeadm.steps;

import hudson.AbortException;
import hudson.Util;
import hudson.model.Computer;
import hudson.model.Run;
import io.jenkins.plugins.kubeadm.agents.ClusterWork;
import io.jenkins.plugins.kubeadm.agents.NodeAgents;
import io.jenkins.plugins.kubeadm.agents.NodeRunners;
import io.jenkins.plugins.kubeadm.core.cluster.AdminKubeconfig;
import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.Kubeconfig;
import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.LineSplitter;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.credentials.KubeconfigCredential;
import io.jenkins.plugins.kubeadm.logs.BuildStepLogs;
import io.jenkins.plugins.kubeadm.security.BuildAccess;
import io.jenkins.plugins.kubeadm.ssh.InventoryNodes;
import io.jenkins.plugins.kubeadm.ssh.InventorySpec;
import java.io.IOException;
import java.time.Duration;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * A step that talks to the cluster's API server (core's {@link ClusterSteps}): on the control-plane
 * agent with the admin kubeconfig that kubeadmInit left there (it never leaves that node), from
 * here with a kubeconfig credential, or from here with the admin kubeconfig fetched over SSH from an
 * inventory's control-plane line into memory.
 */
public abstract class ClusterStep extends KubeadmStep {

    private String kubeconfigCredentialsId;
    private String controlPlaneLabel;

    public String getKubeconfigCredentialsId() {
        return kubeconfigCredentialsId;
    }

    /** A secret file credential with an admin kubeconfig; empty: the control-plane agent's own. */
    @DataBoundSetter
    public void setKubeconfigCredentialsId(String kubeconfigCredentialsId) {
        this.kubeconfigCredentialsId = Util.fixEmptyAndTrim(kubeconfigCredentialsId);
    }

    public String getControlPlaneLabel() {
        return controlPlaneLabel;
    }

    /** The label of the control-plane agent the step runs on without a credential; empty: k8s-control-plane. */
    @DataBoundSetter
    public void setControlPlaneLabel(String controlPlaneLabel) {
        this.controlPlaneLabel = Util.fixEmptyAndTrim(controlPlaneLabel);
    }

    /**
     * Checks the inventory parameters before the step starts.
     *
     * @param nodeLabel the step's own agent label for node work (installGpuPlugin's), which an inventory replaces
     */
    final InventorySpec checkedInventory(String nodeLabel) throws AbortException {
        InventorySpec spec = inventorySpec();
        validated(() -> {
            spec.check(nodeLabel);
            if (spec.given() && controlPlaneLabel != null) {
                throw new ParameterException("controlPlaneLabel", "cannot go with an inventory, whose control-plane line is used",
                        "controlPlaneLabel with agents, or an inventory");
            }
            return spec;
        });
        return spec;
    }

    /** How long a cluster step waits for the cluster when the Jenkinsfile says nothing. */
    @Override
    int defaultTimeoutMinutes() {
        return 5;
    }

    /** How an execution reaches the cluster for one piece of work: the control-plane agent, a credential, or an inventory's control plane. */
    interface ClusterAccess {
        String perform(ClusterWork work) throws Exception;
    }

    /** Where a cluster step talks to the API server from. */
    enum Route {
        /** The control-plane agent, with the admin kubeconfig kubeadmInit left there. */
        CONTROL_PLANE_AGENT,
        /** The agent of the step's node block, with the credential's kubeconfig or one fetched over SSH. */
        NODE_BLOCK_AGENT,
        /** The controller itself, where an administrator allows it. */
        CONTROLLER
    }

    /**
     * The one decision of where the work runs: without a kubeconfig credential or an inventory on the
     * control-plane agent; with one on the agent of the step's node block, or outside one on the controller.
     *
     * @param from the agent of the step's node block, or null
     */
    final Route route(boolean inventory, Computer from) {
        if (kubeconfigCredentialsId == null && !inventory) {
            return Route.CONTROL_PLANE_AGENT;
        }
        return NodeRunners.isController(from) ? Route.CONTROLLER : Route.NODE_BLOCK_AGENT;
    }

    /**
     * Checks, before a step changes any node, that the build may reach the cluster the way
     * {@link #perform} will: from the controller only where an administrator allowed it, else on an
     * agent with Agent/Build there.
     *
     * @param from the agent of the step's node block, or null
     */
    final void admitClusterAccess(boolean inventory, String stepName, BuildAccess access, Computer from) throws IOException {
        switch (route(inventory, from)) {
            case CONTROL_PLANE_AGENT -> NodeAgents.admitControlPlane(controlPlaneLabel(), stepName, access);
            case CONTROLLER -> access.admitControllerClusterAccess(kubeconfigCredentialsId != null ? "kubeconfigCredentialsId" : "inventory");
            case NODE_BLOCK_AGENT -> access.requireBuildPermission(from);
        }
    }

    /** The control-plane agents' label: the step's, or the default. */
    String controlPlaneLabel() {
        return controlPlaneLabel == null ? NodeAgents.CONTROL_PLANE_LABEL : controlPlaneLabel;
    }

    /**
     * Runs the work with the credential's kubeconfig (its secrets masked in everything the build prints
     * from here on), or on the control-plane agent with the one there.
     */
    final String perform(ClusterWork work, Run<?, ?> run, BuildStepLogs logs, String stepName, BuildAccess access, Computer from)
            throws IOException, InterruptedException {
        return perform(work, run, logs, stepName, null, Cancellation.none(), access, from);
    }

    /**
     * Like {@link #perform(ClusterWork, Run, BuildStepLogs, String, BuildAccess, Computer)}; with the nodes
     * of an inventory (and no credential) the admin kubeconfig is fetched once from its control-plane line
     * over SSH and kept in memory only. With a credential or an inventory the work runs on the agent of the
     * step's node block, or outside one on the controller (where an administrator allows it).
     *
     * @param from the agent of the step's node block, or null
     */
    final String perform(ClusterWork work, Run<?, ?> run, BuildStepLogs logs, String stepName, InventoryNodes nodes,
                         Cancellation cancellation, BuildAccess access, Computer from) throws IOException, InterruptedException {
        Route route = route(nodes != null, from);
        admitClusterAccess(nodes != null, stepName, access, from);
        if (route == Route.CONTROLLER) {
            String content = kubeconfigCredentialsId != null ? KubeconfigCredential.read(run, kubeconfigCredentialsId)
                    : AdminKubeconfig.fetch(nodes.controlPlane(stepName), logs.console(), Duration.ofMinutes(2), cancellation);
            logs.redactor().addKubeconfig(content);
            try (ClusterSteps cluster = ClusterSteps.connect(Kubeconfig.fromContent(content),
                    ClusterSteps.progressTo(logs.console(), stepName))) {
                return work.run(cluster);
            }
        }
        String where = route == Route.NODE_BLOCK_AGENT ? "the agent " + from.getName() : "the control-plane agent";
        // The agent's progress lines are bounded here; past the limits the call is interrupted and the step fails.
        Thread caller = Thread.currentThread();
        LineSplitter progress = LineSink.boundedLines(logs.console(), stepName, LineSink.Stream.STDOUT, caller::interrupt);
        try (progress) {
            String summary;
            if (route == Route.NODE_BLOCK_AGENT) {
                String kubeconfig = kubeconfigCredentialsId != null ? KubeconfigCredential.read(run, kubeconfigCredentialsId) : null;
                if (kubeconfig != null) {
                    logs.redactor().addKubeconfig(kubeconfig);
                }
                summary = NodeAgents.runOnAgent(from, work, progress, kubeconfig,
                        kubeconfig == null ? nodes.controlPlaneTarget(stepName) : null, access);
            } else {
                summary = NodeAgents.runOnControlPlane(controlPlaneLabel(), stepName, work, progress, access);
            }
            if (progress.violation() != null) {
                throw new IOException(progress.violation());
            }
            return summary;
        } catch (InterruptedException e) {
            if (progress.violation() != null) {
                Thread.interrupted(); // ours, to stop the call
                throw new AbortException(stepName + " on " + where + ": " + progress.violation());
            }
            throw e;
        } catch (IOException e) {
            // The agent's message is already redacted there; the build shows it without a remoting trace.
            throw new AbortException(stepName + " on " + where + ": " + e.getMessage());
        }
    }
}
