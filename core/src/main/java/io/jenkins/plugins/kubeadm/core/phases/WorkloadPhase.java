package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.cluster.ClusterSteps;
import io.jenkins.plugins.kubeadm.core.cluster.DeployResult;
import io.jenkins.plugins.kubeadm.core.cluster.WorkloadOptions;
import java.util.Objects;

/** deployWorkload through the API server: server-side apply, rollouts awaited, the optional smoke check. */
public final class WorkloadPhase implements ClusterPhase {

    private final WorkloadOptions options;

    public WorkloadPhase(WorkloadOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public Phase phase() {
        return Phase.WORKLOAD;
    }

    @Override
    public void run(PhaseContext context) {
        context.say(apply(context.cluster(), options));
    }

    /** Deploys the workload and returns the phase's report; the plugin calls it where it reaches the API server. */
    public static String apply(ClusterSteps cluster, WorkloadOptions options) {
        DeployResult result = cluster.deployWorkload(options);
        return "deployWorkload: " + result.applied().line() + "; rolled out: " + String.join(", ", result.rolledOut())
                + (result.smokeCheck() == null ? "" : "; smoke check: " + result.smokeCheck());
    }
}
