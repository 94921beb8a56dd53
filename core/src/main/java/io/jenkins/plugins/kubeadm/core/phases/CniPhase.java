package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.CniOptions;
import io.jenkins.plugins.kubeadm.core.cluster.CniResult;
import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
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
        CniResult result = context.cluster().applyCni(options);
        record(context.facts(), result.cni().catalogName(), result.version(), result.podCidr().toString());
        context.say(report(result));
    }

    /** The pod network's facts, recorded where the run keeps them (the plugin records them on the controller). */
    public static void record(ClusterFacts facts, String cni, String version, String podCidr) {
        facts.record("cni", cni + " " + version);
        facts.record("podNetwork", podCidr);
    }

    /** Applies the pod network and returns the phase's report; the plugin calls it where it reaches the API server. */
    public static String apply(ClusterSteps cluster, CniOptions options) {
        return report(cluster.applyCni(options));
    }

    private static String report(CniResult result) {
        return "applyCni: " + result.cni() + " " + result.version() + " for pod network " + result.podCidr()
                + ": " + result.applied().line() + "; every node is Ready";
    }
}
