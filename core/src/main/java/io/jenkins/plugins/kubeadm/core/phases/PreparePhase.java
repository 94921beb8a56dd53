package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import io.jenkins.plugins.kubeadm.core.nodes.NodeIdentity;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import java.util.Map;

/**
 * prepareNode on every node (prepare-node.sh), then the cross-node identity and clock check; the
 * identities are the run's facts about its nodes.
 */
public final class PreparePhase implements ClusterPhase {

    private final String clusterHosts;
    private final String preflightIgnore;
    private final String hostname;

    /**
     * @param clusterHosts    /etc/hosts lines for every node; null for the nodes' own (an inventory's addresses)
     * @param preflightIgnore prepare-node.sh checks reported as warnings, a comma list; null for none
     * @param hostname        the one node's new hostname; null for the nodes' own ({@link ClusterNodes#hostnameOf})
     */
    public PreparePhase(String clusterHosts, String preflightIgnore, String hostname) {
        this.clusterHosts = clusterHosts;
        this.preflightIgnore = preflightIgnore;
        this.hostname = hostname;
    }

    @Override
    public Phase phase() {
        return Phase.PREPARE;
    }

    @Override
    public void run(PhaseContext context) {
        ClusterNodes nodes = context.nodes();
        String hosts = clusterHosts != null ? clusterHosts : nodes.clusterHosts();
        Map<String, NodeIdentity> identities = context.steps().prepareNodes(nodes.all(), node -> PrepareNodeParams.of(nodes.roleOf(node),
                hostname != null ? hostname : nodes.hostnameOf(node), hosts, preflightIgnore));
        context.learned(identities);
        identities.forEach((node, id) -> {
            context.facts().record(ClusterFacts.nodeKey(node, "role"), nodes.roleOf(node));
            context.facts().record(ClusterFacts.nodeKey(node, "hostname"), id.hostname());
            context.facts().record(ClusterFacts.nodeKey(node, "address"), id.primaryIp());
        });
        identities.forEach((node, id) -> context.say("prepareNode: " + node + " ready as " + nodes.roleOf(node) + " ("
                + id.hostname() + ", " + id.primaryIp() + ")"));
    }
}
