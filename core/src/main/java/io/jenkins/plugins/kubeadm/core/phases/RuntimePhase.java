package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import java.util.List;
import java.util.Objects;

/** installRuntime on every node with the same parameters (install-runtime.sh): a cluster runs one Kubernetes version. */
public final class RuntimePhase implements ClusterPhase {

    private final InstallRuntimeParams params;

    public RuntimePhase(InstallRuntimeParams params) {
        this.params = Objects.requireNonNull(params, "params");
    }

    @Override
    public Phase phase() {
        return Phase.RUNTIME;
    }

    @Override
    public void run(PhaseContext context) {
        List<ScriptRunner> nodes = context.nodes().all();
        context.steps().installRuntime(nodes, params);
        context.say("installRuntime: containerd and Kubernetes " + params.kubernetesVersion() + " on "
                + String.join(", ", nodes.stream().map(ScriptRunner::nodeName).toList()));
    }
}
