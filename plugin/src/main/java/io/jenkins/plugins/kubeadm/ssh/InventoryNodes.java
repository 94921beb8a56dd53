package io.jenkins.plugins.kubeadm.ssh;

import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Computer;
import hudson.model.Run;
import io.jenkins.plugins.kubeadm.agents.NodeRunners;
import io.jenkins.plugins.kubeadm.core.exec.HostKeyPolicy;
import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.SshIdentity;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.phases.ClusterNodes;
import io.jenkins.plugins.kubeadm.security.BuildAccess;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The nodes of an inventory, each with its SSH runner: the inventory read and every credential and
 * host key source checked before the first node is touched. Close it to stop the SSH clients.
 */
public final class InventoryNodes implements AutoCloseable {


    private final Inventory inventory;
    private final Map<String, ScriptRunner> runners;
    private final Map<String, NodeTarget> targets;

    private InventoryNodes(Inventory inventory, Map<String, ScriptRunner> runners, Map<String, NodeTarget> targets) {
        this.inventory = inventory;
        this.runners = runners;
        this.targets = targets;
    }

    /**
     * @param workspace the enclosing node block's workspace, or null outside one
     * @param from      the agent of the enclosing node block, which then is the SSH client; null: the controller
     * @param say       told what the step prints about the inventory (and the acceptAnyHostKey warning)
     * @param access    admits the SSH client and the host key policy for the build, and takes the nodes from other steps
     */
    public static InventoryNodes open(InventorySpec spec, Run<?, ?> run, FilePath workspace, Computer from, Consumer<String> say,
                                      BuildAccess access) throws IOException, InterruptedException {
        Inventory inventory = read(spec, workspace);
        access.admitInventory(from, spec.acceptAnyHostKey(),
                inventory.nodes().stream().map(e -> e.host() + ":" + e.port()).toList());
        SshIdentity identity = SshKeyCredential.read(run, spec.sshCredentialsId());
        HostKeyPolicy hostKeys = HostKeys.resolve(spec, run, workspace, say);
        Map<String, ScriptRunner> runners = new LinkedHashMap<>();
        Map<String, NodeTarget> targets = new LinkedHashMap<>();
        try {
            for (Inventory.Entry e : inventory.nodes()) {
                NodeTarget target = new NodeTarget(e.name(), e.host(), e.port(), e.user(), identity, hostKeys);
                targets.put(e.name(), target);
                runners.put(e.name(), NodeRunners.forTarget(target, from));
            }
        } catch (IOException | RuntimeException e) {
            new InventoryNodes(inventory, runners, targets).close();
            throw e;
        }
        say.accept(inventory.nodes().size() + " node(s) of the inventory over SSH from "
                + (NodeRunners.isController(from) ? "the controller" : "the agent " + from.getDisplayName()));
        return new InventoryNodes(inventory, runners, targets);
    }

    private static Inventory read(InventorySpec spec, FilePath workspace) throws IOException, InterruptedException {
        if (spec.inventory() != null) {
            return Inventory.parse(spec.inventory());
        }
        String file = spec.inventoryFile();
        if (workspace == null) {
            throw new AbortException("inventoryFile: '" + file + "' is a workspace file, and the step has no workspace"
                    + " (accepted: the step inside node { }, or the lines themselves as inventory)");
        }
        FilePath path = workspace.child(file);
        if (!path.exists()) {
            throw new AbortException("inventoryFile: '" + file + "' does not exist in the workspace " + workspace.getRemote()
                    + " (accepted: a file of lines 'NAME ROLE USER@HOST[:PORT]')");
        }
        try {
            return Inventory.parse(path.readToString());
        } catch (ParameterException e) {
            // Inventory names its lines; the user needs to know they are the file's.
            throw new AbortException("inventoryFile: '" + file + "' " + e.getMessage().replaceFirst("^inventory: ", ""));
        }
    }

    public Inventory inventory() {
        return inventory;
    }

    public List<ScriptRunner> all() {
        return List.copyOf(runners.values());
    }

    /** The inventory's nodes by role, as the phases of core/phases ask for them; refusals name {@code stepName}. */
    public ClusterNodes clusterNodes(String stepName) {
        return ClusterNodes.of(inventory, runners, stepName);
    }

    /** The inventory's one control-plane node. */
    public ScriptRunner controlPlane(String stepName) {
        return clusterNodes(stepName).controlPlane();
    }

    /** How to reach the inventory's one control-plane node over SSH, for an agent that fetches its admin kubeconfig. */
    public NodeTarget controlPlaneTarget(String stepName) throws AbortException {
        return targets.get(controlPlane(stepName).nodeName());
    }

    /** The inventory's lines of these names (checked by {@link Inventory#lines}), in the inventory's order. */
    public List<ScriptRunner> named(List<String> names) {
        return runners.entrySet().stream().filter(e -> names.contains(e.getKey())).map(java.util.Map.Entry::getValue).toList();
    }

    /** The inventory's worker nodes, at least one. */
    public List<ScriptRunner> workers(String stepName) throws AbortException {
        List<ScriptRunner> workers = clusterNodes(stepName).workers();
        if (workers.isEmpty()) {
            throw new AbortException("inventory: " + stepName + " runs on the worker lines, and the inventory has none"
                    + " (accepted: lines such as 'node2 worker root@192.168.1.11')");
        }
        return workers;
    }

    @Override
    public void close() {
        for (ScriptRunner runner : runners.values()) {
            try {
                runner.close();
            } catch (Exception e) {
                // stopping an SSH client that is already gone
            }
        }
    }
}
