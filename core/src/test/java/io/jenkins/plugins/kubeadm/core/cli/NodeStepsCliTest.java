package io.jenkins.plugins.kubeadm.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.exec.HostKeyPolicy;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeStepsCliTest {

    @TempDir
    Path dir;

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
    void optionsAreValidatedBeforeAnyNodeIsContacted() throws Exception {
        Path inventory = Files.writeString(dir.resolve("nodes.txt"), "nuc01 control-plane root@192.0.2.10\n");
        Path key = Files.writeString(dir.resolve("id"), "not used");
        var options = NodeStepsCli.parse(new String[] {"--inventory", inventory.toString(), "--identity", key.toString(),
                "--insecure-accept-any-host-key", "--kubernetes-version", "1.33"});
        assertEquals(new HostKeyPolicy.InsecureAcceptAny(), options.hostKeys());
        assertEquals("1.33", options.runtime().environment().get("KUBERNETES_VERSION"));

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = NodeStepsCli.run(new String[] {"--inventory", inventory.toString(), "--identity", key.toString(),
                "--known-hosts", dir.resolve("kh").toString(), "--kubernetes-version", "1.20"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("ERROR: kubernetesVersion: minor 1.20 is not supported"), err.toString());

        ParameterException both = assertThrows(ParameterException.class, () -> NodeStepsCli.parse(new String[] {"--inventory",
                inventory.toString(), "--identity", key.toString()}));
        assertEquals("--known-hosts", both.parameter());
    }
}
