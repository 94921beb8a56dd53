package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.util.List;
import org.junit.jupiter.api.Test;

class InventoryTest {

    @Test
    void anInventoryListsNodesWithRolesAndAddresses() {
        Inventory inv = Inventory.parse("# lab\nnuc01 control-plane root@192.168.1.10\nnuc02 worker ubuntu@192.168.1.11:2222  # second\n\n");
        assertEquals(List.of(new Inventory.Entry("nuc01", "control-plane", "root", "192.168.1.10", 22),
                new Inventory.Entry("nuc02", "worker", "ubuntu", "192.168.1.11", 2222)), inv.nodes());
        assertEquals("192.168.1.10 nuc01\n192.168.1.11 nuc02\n", inv.clusterHosts());
    }

    @Test
    void badInventoriesNameTheLineAndTheProblem() {
        assertTrue(message("nuc01 master root@10.0.0.1").contains("line 1: 'master' is not a role"));
        assertTrue(message("nuc01 control-plane 10.0.0.1").contains("is not USER@HOST[:PORT]"));
        assertTrue(message("nuc01 control-plane root@10.0.0.1\nnuc01 worker root@10.0.0.2").contains("line 2: node name 'nuc01' appears twice"));
        assertTrue(message("nuc02 worker root@10.0.0.2").contains("has no control-plane node"));
        assertTrue(message("nuc_01 control-plane root@10.0.0.1").contains("not a valid node name"));
        assertTrue(message("").contains("lists no node"));
    }

    private static String message(String inventory) {
        ParameterException e = assertThrows(ParameterException.class, () -> Inventory.parse(inventory));
        assertEquals("inventory", e.parameter());
        return e.getMessage();
    }

    @Test
    void aStepNamesItsLinesByNameEachALineOfTheInventory() {
        Inventory inventory = Inventory.parse("cp1 control-plane root@10.0.0.1\ncp2 control-plane root@10.0.0.2\nworker1 worker root@10.0.0.3\n");
        assertEquals(List.of("cp2", "worker1"), inventory.lines("nodes", " cp2, worker1 ,cp2"));
        ParameterException unknown = assertThrows(ParameterException.class, () -> inventory.lines("nodes", "cp2, cp9"));
        assertEquals("nodes: 'cp9' is no line of the inventory (accepted: a comma-separated list of the inventory's node names: cp1, cp2,"
                + " worker1)", unknown.getMessage());
        assertEquals("nodes", assertThrows(ParameterException.class, () -> inventory.lines("nodes", " ")).parameter());
    }
}
