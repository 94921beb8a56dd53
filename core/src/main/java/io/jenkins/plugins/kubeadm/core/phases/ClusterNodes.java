package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The nodes a run works on, by role: an inventory's lines reached over SSH, or Jenkins agents picked
 * by label (the plugin's own implementation). Phases ask for the nodes they need, when they need them.
 */
public interface ClusterNodes {

    /** Every node of the run. */
    List<ScriptRunner> all();

    /** A control plane: where the join token is deleted and the admin kubeconfig read; kubeadm init's node when there is one. */
    ScriptRunner controlPlane();

    /** Every control plane, the first being {@link #controlPlane()}: kubeadmInit forms the cluster on one, the others join it. */
    default List<ScriptRunner> controlPlanes() {
        return List.of(controlPlane());
    }

    /** The nodes that join as workers (and the GPU nodes: a GPU box joins as a worker). */
    List<ScriptRunner> workers();

    /** control-plane or worker. */
    String roleOf(String node);

    /** The hostname prepareNode sets on this node; null leaves the node's own. */
    default String hostnameOf(String node) {
        return null;
    }

    /** The /etc/hosts lines every node gets when the user gave none; null for none. */
    default String clusterHosts() {
        return null;
    }

    /**
     * Nodes picked for one step (Jenkins agents by label): every one of them is a worker for joinWorkers.
     *
     * @param controlPlane where the control plane's side runs (kubeadm init, deleting the join token);
     *                     null when the step has none to do
     * @param roleOf       each node's role
     */
    static ClusterNodes picked(List<ScriptRunner> nodes, ScriptRunner controlPlane, Function<String, String> roleOf) {
        return pickedWith(nodes, controlPlane == null ? List.of() : List.of(controlPlane), roleOf);
    }

    /**
     * Nodes picked for one step, with every control plane picked (kubeadmInit on several agents with
     * the control-plane label): the first is {@link #controlPlane()}.
     */
    static ClusterNodes pickedWith(List<ScriptRunner> nodes, List<ScriptRunner> controlPlanes, Function<String, String> roleOf) {
        List<ScriptRunner> all = List.copyOf(nodes);
        List<ScriptRunner> planes = List.copyOf(controlPlanes);
        return new ClusterNodes() {
            @Override
            public List<ScriptRunner> all() {
                return all;
            }

            @Override
            public ScriptRunner controlPlane() {
                if (planes.isEmpty()) {
                    throw new IllegalStateException("no control plane was picked for this step");
                }
                return planes.get(0);
            }

            @Override
            public List<ScriptRunner> controlPlanes() {
                controlPlane();
                return planes;
            }

            @Override
            public List<ScriptRunner> workers() {
                return all;
            }

            @Override
            public String roleOf(String node) {
                return roleOf.apply(node);
            }
        };
    }

    /**
     * An inventory's nodes: roles from its lines, each node named (and its hostname set) by its
     * line, and the lines' IP addresses as every node's /etc/hosts.
     *
     * @param runners one per inventory line, by its name
     * @param user    who needs the nodes, as refusals name it (a step, or kubeadmCluster)
     */
    static ClusterNodes of(Inventory inventory, Map<String, ? extends ScriptRunner> runners, String user) {
        return new ClusterNodes() {
            @Override
            public List<ScriptRunner> all() {
                return inventory.nodes().stream().map(e -> (ScriptRunner) runners.get(e.name())).toList();
            }

            @Override
            public ScriptRunner controlPlane() {
                return controlPlanes().get(0);
            }

            @Override
            public List<ScriptRunner> controlPlanes() {
                List<ScriptRunner> controlPlanes = withRole(Inventory.CONTROL_PLANE);
                if (controlPlanes.isEmpty()) {
                    throw new ParameterException("inventory", user + " needs a control-plane line, the inventory has none",
                            "one 'NAME control-plane USER@HOST[:PORT]' line, or an odd number of them");
                }
                return controlPlanes;
            }

            @Override
            public List<ScriptRunner> workers() {
                return withRole(Inventory.WORKER);
            }

            @Override
            public String roleOf(String node) {
                return inventory.nodes().stream().filter(e -> e.name().equals(node)).findFirst().orElseThrow().role();
            }

            @Override
            public String hostnameOf(String node) {
                return node;
            }

            @Override
            public String clusterHosts() {
                String hosts = inventory.clusterHosts();
                return hosts.isEmpty() ? null : hosts;
            }

            private List<ScriptRunner> withRole(String role) {
                List<ScriptRunner> selected = new ArrayList<>();
                for (Inventory.Entry e : inventory.nodes()) {
                    if (e.role().equals(role)) {
                        selected.add(runners.get(e.name()));
                    }
                }
                return selected;
            }
        };
    }
}
