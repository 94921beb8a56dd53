package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import java.util.List;

/**
 * The node steps of a cluster chained for tests that look at the join itself: kubeadmInit, the
 * workers' joins, the token deleted. (A cluster build runs core/phases, with the pod network
 * between the control plane and the workers.)
 */
final class ClusterFixture {

    /** {@code tokenDeleted} is false when the token was already gone (deleted or expired). */
    record ClusterResult(KubeadmSteps.InitResult controlPlane, List<KubeadmSteps.JoinResult> workers, boolean tokenDeleted) {
    }

    private ClusterFixture() {
    }

    static ClusterResult buildCluster(KubeadmSteps steps, ScriptRunner controlPlane, List<? extends ScriptRunner> workers,
                                      KubeadmInitParams params) {
        KubeadmSteps.InitResult init = steps.kubeadmInit(controlPlane, params);
        List<KubeadmSteps.JoinResult> joined = workers.isEmpty() ? List.of()
                : steps.joinWorkers(workers, init.joinCommand(), KubeadmSteps.DEFAULT_DISCOVERY_TIMEOUT, params.ignorePreflightErrors());
        boolean deleted = steps.deleteJoinToken(controlPlane, init.joinCommand().tokenId());
        return new ClusterResult(init, joined, deleted);
    }
}
