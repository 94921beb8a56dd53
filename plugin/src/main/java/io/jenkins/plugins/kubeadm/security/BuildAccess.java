package io.jenkins.plugins.kubeadm.security;

import hudson.AbortException;
import hudson.model.Computer;
import hudson.model.Node;
import hudson.model.Run;
import io.jenkins.plugins.kubeadm.core.nodes.NodeLocks;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.workflow.flow.FlowExecutionOwner;
import org.springframework.security.core.Authentication;

/**
 * What one step may reach, decided with the build's authentication before any node changes: every
 * agent it touches needs {@link Computer#BUILD}, the built-in node and the controller as a network
 * client need an administrator's setting, and each node is taken from other steps (of this build or
 * another) while the step changes it. Close it when the step ends to give the nodes back.
 */
public final class BuildAccess implements AutoCloseable {

    /** One for the controller: a node is the same node for every build. */
    private static final NodeLocks LOCKS = new NodeLocks();

    private final Authentication authentication;
    private final String holder;
    private final String stepName;
    private final Duration lockTimeout;
    private final Consumer<String> say;
    private final List<NodeLocks.Lease> leases = new ArrayList<>();

    /**
     * @param lockTimeout how long the step waits for nodes another step is changing
     * @param say         where the step tells what it waits for
     */
    public BuildAccess(Run<?, ?> run, String stepName, Duration lockTimeout, Consumer<String> say) throws IOException {
        this.authentication = authenticationOf(run);
        this.holder = run.getFullDisplayName() + " (" + stepName + ")";
        this.stepName = stepName;
        this.lockTimeout = lockTimeout;
        this.say = say;
    }

    /** The build's authentication: the one its Pipeline runs as (Authorize Project and the like set it). */
    public static Authentication authenticationOf(Run<?, ?> run) throws IOException {
        if (run instanceof FlowExecutionOwner.Executable executable) {
            FlowExecutionOwner owner = executable.asFlowExecutionOwner();
            if (owner != null) {
                return owner.get().getAuthentication2();
            }
        }
        return Jenkins.getAuthentication2();
    }

    public Authentication authentication() {
        return authentication;
    }

    /**
     * Admits the agents a step is about to change: all of them must be allowed before any is taken.
     *
     * @throws AbortException naming every agent the build may not use, or the built-in node
     */
    public void admitAgents(List<Computer> computers) throws IOException {
        List<String> refused = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Computer computer : computers) {
            Node node = computer.getNode();
            String name = computer instanceof Jenkins.MasterComputer ? "built-in" : computer.getName();
            if (computer instanceof Jenkins.MasterComputer && !KubeadmPipelineSettings.get().isBuiltInNodeAllowed()) {
                throw new AbortException(stepName + ": " + KubeadmPipelineSettings.refusal(
                        "changing the built-in node (the controller's own machine)", KubeadmPipelineSettings.BUILT_IN_NODE)
                        + "; run the step on a cluster node's agent");
            }
            if (node == null || !node.hasPermission2(authentication, Computer.BUILD)) {
                refused.add(name);
            }
            names.add(name);
        }
        if (!refused.isEmpty()) {
            throw new AbortException(stepName + ": " + authentication.getName() + " may not build on " + String.join(", ", refused)
                    + " (Agent/Build permission); nothing was changed on any node");
        }
        take(names);
    }

    /**
     * Admits the SSH side of an inventory: the controller as SSH client and acceptAnyHostKey only
     * where an administrator allowed them, the agent that is the SSH client with Agent/Build.
     *
     * @param from the agent that opens the SSH connections, or null for the controller
     */
    public void admitInventory(Computer from, boolean acceptAnyHostKey, List<String> hosts) throws IOException {
        KubeadmPipelineSettings settings = KubeadmPipelineSettings.get();
        if (acceptAnyHostKey && !settings.isAcceptAnyHostKeyAllowed()) {
            throw new AbortException("acceptAnyHostKey: " + KubeadmPipelineSettings.refusal("skipping the nodes' host key check",
                    KubeadmPipelineSettings.ACCEPT_ANY_HOST_KEY) + " (accepted: knownHostsFile or knownHostsCredentialsId)");
        }
        if (from == null || from instanceof Jenkins.MasterComputer) {
            if (!settings.isControllerSshAllowed()) {
                throw new AbortException("inventory: " + KubeadmPipelineSettings.refusal("the controller as SSH client",
                        KubeadmPipelineSettings.CONTROLLER_SSH) + "; run " + stepName + " inside node('an agent') { }, which then"
                        + " opens the SSH connections");
            }
        } else {
            requireBuildPermission(from);
        }
        take(hosts);
    }

    /** Agent/Build on an agent the step uses without changing it (the SSH client, the agent of its node block). */
    public void requireBuildPermission(Computer agent) throws AbortException {
        Node node = agent.getNode();
        if (node == null || !node.hasPermission2(authentication, Computer.BUILD)) {
            throw new AbortException(stepName + ": " + authentication.getName() + " may not build on " + agent.getName()
                    + " (Agent/Build permission)");
        }
    }

    /** Cluster work on the controller (a kubeconfig credential, an inventory) only where an administrator allowed it. */
    public void admitControllerClusterAccess(String parameter) throws AbortException {
        if (!KubeadmPipelineSettings.get().isControllerClusterAccessAllowed()) {
            throw new AbortException(parameter + ": " + KubeadmPipelineSettings.refusal(
                    "a cluster step talking to the cluster from the controller", KubeadmPipelineSettings.CONTROLLER_CLUSTER_ACCESS)
                    + "; without " + parameter + " the step runs on the control-plane agent");
        }
    }

    private void take(List<String> nodes) throws IOException {
        List<String> wanted = nodes.stream().filter(node -> leases.stream().noneMatch(l -> l.nodes().contains(node))).toList();
        if (wanted.isEmpty()) {
            return;
        }
        try {
            leases.add(LOCKS.acquire(wanted, holder, lockTimeout, text -> say.accept(stepName + ": " + text)));
        } catch (TimeoutException e) {
            throw new AbortException(stepName + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(stepName + " was stopped while waiting for its nodes");
        }
    }

    /** Gives the nodes back. */
    @Override
    public void close() {
        leases.forEach(NodeLocks.Lease::close);
        leases.clear();
    }
}
