package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import java.util.Objects;

/**
 * kubeadmInit on the control plane (kubeadm-init.sh); hands the run the worker join command it made
 * with a fresh token, in memory only.
 */
public final class ControlPlanePhase implements ClusterPhase {

    private final KubeadmInitParams params;

    public ControlPlanePhase(KubeadmInitParams params) {
        this.params = Objects.requireNonNull(params, "params");
    }

    @Override
    public Phase phase() {
        return Phase.CONTROL_PLANE;
    }

    @Override
    public void run(PhaseContext context) {
        KubeadmSteps.InitResult result = context.steps().kubeadmInit(context.nodes().controlPlane(), params);
        context.initialized(result);
        ClusterFacts facts = context.facts();
        facts.record("kubernetesVersion", result.kubernetesVersion());
        facts.record("apiServer", result.apiServerEndpoint());
        facts.record("serviceNetwork", params.serviceCidr());
        facts.record("podNetwork", params.podNetworkCidr());
        facts.record(ClusterFacts.nodeKey(result.node(), "role"), Inventory.CONTROL_PLANE);
        context.say("kubeadmInit: " + result.node() + (result.initialized() ? " initialized" : " already ran this control plane")
                + " (Kubernetes " + result.kubernetesVersion() + ", API server " + result.apiServerEndpoint() + ")");
    }
}
