package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.params.KubernetesUpgrade.Release;
import java.util.List;

/**
 * upgradeCluster's questions and changes for the API server, by Kubernetes Node name: {@link
 * ClusterSteps#upgradeApi} answers them with a client, the plugin through the agent that reaches the
 * cluster (one call each).
 */
public interface UpgradeApi {

    /** What runs where now. */
    UpgradeSurvey survey();

    /** One line per pod that a drain of these nodes would be kept from evicting now (a server-side dry run); empty when none. */
    List<String> drainBlockers(List<String> nodes);

    /** Marks the node as being upgraded to {@code target}, cordons it and evicts its pods (PodDisruptionBudgets honoured). */
    void drain(String node, Release target);

    /** Waits until the node is Ready with its kubelet at {@code target}, then uncordons it unless it was cordoned before the upgrade. */
    void uncordonWhenReady(String node, Release target);
}
