package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.ClusterFacts;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * joinWorkers (kubeadm-join.sh): every worker joins with the run's join command, in parallel; then
 * the join token is deleted on the control plane, unless kept: once every worker joined it can only
 * add nodes nobody asked for.
 */
public final class WorkersPhase implements ClusterPhase {

    private final Duration discoveryTimeout;
    private final List<String> ignorePreflightErrors;
    private final boolean waitForReady;
    private final boolean keepToken;

    /**
     * @param ignorePreflightErrors kubeadm preflight checks reported as warnings, already checked
     * @param waitForReady          each worker waits until it is Ready (the pod network came first)
     * @param keepToken             leave the bootstrap token for workers that join later; it expires with its TTL
     */
    public WorkersPhase(Duration discoveryTimeout, List<String> ignorePreflightErrors, boolean waitForReady, boolean keepToken) {
        this.discoveryTimeout = Objects.requireNonNull(discoveryTimeout, "discoveryTimeout");
        this.ignorePreflightErrors = List.copyOf(ignorePreflightErrors);
        this.waitForReady = waitForReady;
        this.keepToken = keepToken;
    }

    /** discoveryTimeoutSeconds: how long each worker's kubeadm tries to validate the API server with the token; 0 for the default. */
    public static Duration discoveryTimeout(int seconds) {
        Validators.integerRange("discoveryTimeoutSeconds", seconds, 0, 3600,
                "seconds, 0 for the default " + KubeadmSteps.DEFAULT_DISCOVERY_TIMEOUT.toSeconds());
        return seconds == 0 ? KubeadmSteps.DEFAULT_DISCOVERY_TIMEOUT : Duration.ofSeconds(seconds);
    }

    @Override
    public Phase phase() {
        return Phase.WORKERS;
    }

    @Override
    public void run(PhaseContext context) {
        JoinCommand joinCommand = context.joinCommand();
        List<ScriptRunner> workers = context.nodes().workers();
        if (!workers.isEmpty()) {
            if (joinCommand.apiServerEndpoint().toString().equals(KubeadmInitParams.LOCAL_LOAD_BALANCER_ENDPOINT)) {
                // The cluster is reached through each node's own load balancer (apiServerLoadBalancer haproxy).
                List<String> apiServers = ControlPlanePhase.apiServers(context);
                List<String> changed = context.steps().apiLoadBalancer(workers, apiServers);
                context.say("apiServerLoadBalancer: haproxy on the workers forwards " + KubeadmInitParams.LOCAL_LOAD_BALANCER_ENDPOINT
                        + " to " + String.join(", ", apiServers) + (changed.isEmpty() ? " (unchanged)" : " (set up on "
                        + String.join(", ", changed) + ")"));
            }
            for (KubeadmSteps.JoinResult r : context.steps().joinWorkers(workers, joinCommand, discoveryTimeout, ignorePreflightErrors,
                    waitForReady)) {
                context.facts().record(ClusterFacts.nodeKey(r.node(), "role"), Inventory.WORKER);
                context.facts().record(ClusterFacts.nodeKey(r.node(), "joined"), r.apiServerEndpoint());
                context.say("joinWorkers: " + r.node() + (r.joined() ? " joined " : " was already a node of ") + r.apiServerEndpoint()
                        + (waitForReady ? ", Ready" : ""));
            }
        }
        if (keepToken) {
            context.say("joinWorkers: join token " + joinCommand.tokenId() + " kept (keepToken), it expires with its TTL");
            return;
        }
        ScriptRunner controlPlane = context.nodes().controlPlane();
        boolean deleted = context.steps().deleteJoinToken(controlPlane, joinCommand.tokenId());
        context.say("joinWorkers: join token " + joinCommand.tokenId() + (deleted ? " deleted on " : " was already gone on ")
                + controlPlane.nodeName() + "; the next kubeadmInit makes a fresh one");
    }
}
