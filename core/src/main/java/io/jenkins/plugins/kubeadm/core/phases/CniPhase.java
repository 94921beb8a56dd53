package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.CniOptions;
import io.jenkins.plugins.kubeadm.core.cluster.CniResult;
import java.util.Objects;

/** applyCni through the API server: the pinned pod network manifest, then every node Ready. */
public final class CniPhase implements ClusterPhase {

    private final CniOptions options;

    public CniPhase(CniOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public Phase phase() {
        return Phase.CNI;
    }

    @Override
    public void run(PhaseContext context) {
        context.say(apply(context.cluster(), options));
    }

    /** Applies the pod network and returns the phase's report; the plugin calls it where it reaches the API server. */
    public static String apply(ClusterSteps cluster, CniOptions options) {
        CniResult result = cluster.applyCni(options);
        return "applyCni: " + result.cni() + " " + result.version() + " for pod network " + result.podCidr()
                + ": " + result.applied().line() + "; every node is Ready";
    }
}
