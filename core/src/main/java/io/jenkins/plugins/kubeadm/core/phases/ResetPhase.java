package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import java.util.List;

/** resetNode on every node: kubeadm reset and the clean-up it leaves to people (reset-node.sh). */
public final class ResetPhase implements ClusterPhase {

    @Override
    public Phase phase() {
        return Phase.RESET;
    }

    @Override
    public void run(PhaseContext context) {
        List<ScriptRunner> nodes = context.nodes().all();
        context.steps().resetNodes(nodes);
        context.say("resetNode: reset " + String.join(", ", nodes.stream().map(ScriptRunner::nodeName).toList()));
    }
}
