package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import io.jenkins.plugins.kubeadm.core.secrets.JoinSecrets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * kubeadmInit (kubeadm-init.sh) on the control plane; hands the run the worker join command it made
 * with a fresh token, in memory only. With several control planes: the local load balancer first
 * when asked for (api-load-balancer.sh on each), kubeadm init on the one that already runs a
 * control plane (else the first) with the control-plane certificates uploaded under a fresh key,
 * then the others join as control planes one at a time, each healthy before the next. The key
 * lives in this phase's memory and the run's redactor only; every run uploads the certificates
 * again, so kubeadm's two-hour limit on them never stops a control plane added later.
 */
public final class ControlPlanePhase implements ClusterPhase {

    /** The port every control plane's API server listens on (kubeadm's default, which kubeadm-init.sh keeps). */
    static final int API_SERVER_PORT = 6443;

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
        List<ScriptRunner> controlPlanes = context.nodes().controlPlanes();
        // Steps on agents check their label's count first; here the nodes are an inventory's lines.
        params.checkControlPlaneCount(controlPlanes.size(), "inventory");
        ScriptRunner first = controlPlanes.get(0);
        if (controlPlanes.size() > 1 || params.localLoadBalancer()) {
            Map<String, KubeadmSteps.NodeDescription> described = context.steps().describeNodes(controlPlanes);
            // A cluster is formed once: where a control plane already runs, kubeadm init only refreshes it.
            first = controlPlanes.stream().filter(n -> described.get(n.nodeName()).controlPlane()).findFirst().orElse(first);
            if (params.localLoadBalancer()) {
                List<String> apiServers = apiServers(controlPlanes, described);
                List<String> changed = context.steps().apiLoadBalancer(controlPlanes, apiServers);
                context.say("apiServerLoadBalancer: haproxy on " + String.join(", ", names(controlPlanes)) + " forwards "
                        + KubeadmInitParams.LOCAL_LOAD_BALANCER_ENDPOINT + " to " + String.join(", ", apiServers)
                        + (changed.isEmpty() ? " (unchanged)" : " (set up on " + String.join(", ", changed) + ")"));
            }
        }
        String certificateKey = controlPlanes.size() > 1 ? JoinSecrets.newCertificateKey() : null;
        KubeadmSteps.InitResult result = context.steps().kubeadmInit(first, params, certificateKey);
        context.initialized(result);
        ClusterFacts facts = context.facts();
        facts.record("kubernetesVersion", result.kubernetesVersion());
        facts.record("apiServer", result.apiServerEndpoint());
        facts.record("serviceNetwork", params.serviceCidr());
        facts.record("podNetwork", params.podNetworkCidr());
        facts.record(ClusterFacts.nodeKey(result.node(), "role"), Inventory.CONTROL_PLANE);
        context.say("kubeadmInit: " + result.node() + (result.initialized() ? " initialized" : " already ran this control plane")
                + " (Kubernetes " + result.kubernetesVersion() + ", API server " + result.apiServerEndpoint() + ")");
        if (certificateKey == null) {
            return;
        }
        JoinCommand controlPlaneJoin = result.joinCommand().forControlPlanes(certificateKey);
        for (ScriptRunner other : controlPlanes) {
            if (other == first) {
                continue;
            }
            KubeadmSteps.JoinResult joined = context.steps().joinControlPlane(other, controlPlaneJoin, KubeadmSteps.DEFAULT_DISCOVERY_TIMEOUT,
                    params.ignorePreflightErrors());
            facts.record(ClusterFacts.nodeKey(joined.node(), "role"), Inventory.CONTROL_PLANE);
            facts.record(ClusterFacts.nodeKey(joined.node(), "joined"), joined.apiServerEndpoint());
            context.say("kubeadmInit: " + joined.node() + (joined.joined() ? " joined as a control plane" : " was already a control plane")
                    + " of " + joined.apiServerEndpoint() + "; its etcd member and API server are healthy");
        }
    }

    /**
     * Every control plane's API server as the local load balancers forward to it: the address its API
     * server advertises, or will (its default route's), with the API server port.
     */
    static List<String> apiServers(List<ScriptRunner> controlPlanes, Map<String, KubeadmSteps.NodeDescription> described) {
        List<String> servers = new ArrayList<>();
        for (ScriptRunner node : controlPlanes) {
            String address = described.get(node.nodeName()).address();
            if (address == null) {
                throw new IllegalStateException(node.nodeName() + " has no address for its API server (no default route): "
                        + "apiServerLoadBalancer cannot forward to it");
            }
            servers.add(address + ":" + API_SERVER_PORT);
        }
        return servers;
    }

    /** The API servers of a running cluster's control planes, for the load balancer on a node that joins it. */
    static List<String> apiServers(PhaseContext context) {
        List<ScriptRunner> controlPlanes = context.nodes().controlPlanes();
        return apiServers(controlPlanes, context.steps().describeNodes(controlPlanes));
    }

    private static List<String> names(List<ScriptRunner> nodes) {
        return nodes.stream().map(ScriptRunner::nodeName).toList();
    }
}
