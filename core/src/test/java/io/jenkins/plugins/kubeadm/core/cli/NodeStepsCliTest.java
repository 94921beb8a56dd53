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
