package io.jenkins.plugins.kubeadm.core.cli;

import io.jenkins.plugins.kubeadm.core.exec.HostKeyPolicy;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.phases.Phase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KubeadmClusterCliTest {

    @TempDir
    Path dir;
    Path inventory;
    Path key;

    @BeforeEach
    void files() throws Exception {
        inventory = Files.writeString(dir.resolve("nodes.txt"), "nuc01 control-plane root@192.0.2.10\nnuc02 worker root@192.0.2.11\n");
        key = Files.writeString(dir.resolve("id"), "not used");
    }

    private KubeadmClusterCli.Options parse(String... more) {
        List<String> args = new ArrayList<>(List.of("--inventory", inventory.toString(), "--identity", key.toString(),
                "--insecure-accept-any-host-key"));
        args.addAll(List.of(more));
        return KubeadmClusterCli.parse(args.toArray(String[]::new));
    }

    @Test
    void optionsAreValidatedBeforeAnyNodeIsContacted() throws Exception {
        var options = parse("--kubernetes-version", "1.33");
        assertEquals(new HostKeyPolicy.InsecureAcceptAny(), options.hostKeys());
        assertEquals("1.33", options.plan().arguments(Phase.RUNTIME).get("kubernetesVersion"));

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KubeadmClusterCli.run(new String[] {"--inventory", inventory.toString(), "--identity", key.toString(),
                "--known-hosts", dir.resolve("kh").toString(), "--kubernetes-version", "1.20"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("ERROR: kubernetesVersion: minor 1.20 is not supported"), err.toString());

        ParameterException both = assertThrows(ParameterException.class, () -> KubeadmClusterCli.parse(new String[] {"--inventory",
                inventory.toString(), "--identity", key.toString()}));
        assertEquals("--known-hosts", both.parameter());
    }

    @Test
    void everyParameterKubeadmClusterTakesOnANodeIsAnOption() {
        var options = parse("--reset", "--apt-repository", "http://10.0.0.5:8080/k8s/", "--registry-mirror", "http://10.0.0.5:5000",
                "--image-repository", "10.0.0.5:5000", "--etcd-image-tag", "3.5.21-0", "--cni-manifest-url", "http://10.0.0.5/f.yml",
                "--discovery-timeout-seconds", "90", "--keep-token");
        assertEquals(List.of(Phase.RESET, Phase.PREPARE, Phase.RUNTIME, Phase.CONTROL_PLANE, Phase.CNI, Phase.WORKERS), options.phases());
        assertEquals("10.0.0.5:5000", options.plan().arguments(Phase.CONTROL_PLANE).get("imageRepository"));
        assertEquals(90, options.plan().arguments(Phase.WORKERS).get("discoveryTimeoutSeconds"));
        assertEquals(true, options.plan().arguments(Phase.WORKERS).get("keepToken"));
        assertEquals("http://10.0.0.5/f.yml", options.plan().arguments(Phase.CNI).get("manifestUrl"));
        assertEquals("--cni-sha256", KubeadmClusterCli.optionOf("cniSha256"));
        assertTrue(KubeadmClusterCli.USAGE.contains("--join-token-ttl V") && KubeadmClusterCli.USAGE.contains("--control-plane-schedulable"),
                KubeadmClusterCli.USAGE);
        assertTrue(KubeadmClusterCli.USAGE.lines().allMatch(line -> line.length() <= 120 && !line.endsWith(" ")), KubeadmClusterCli.USAGE);
        // Jenkins' own parameters have no option: the inventory and credentials are this runner's own.
        assertThrows(ParameterException.class, () -> parse("--ssh-credentials-id", "x"));
    }

    @Test
    void aWorkloadFileAndTheChosenPhasesRunInTheOneOrder() throws Exception {
        Path manifest = Files.writeString(dir.resolve("web.yaml"), "kind: List\n");
        var options = parse("--workload-manifest", manifest.toString(), "--phases", "workload,prepare");
        assertEquals(List.of(Phase.WORKLOAD, Phase.PREPARE), options.phases());
        assertEquals("kind: List\n", options.plan().arguments(Phase.WORKLOAD).get("manifestText"));
        assertTrue(assertThrows(ParameterException.class, () -> parse("--phases", "workers"))
                .getMessage().startsWith("--phases: has workers without control-plane"));
        assertTrue(assertThrows(ParameterException.class, () -> parse("--phases", "workload"))
                .getMessage().startsWith("--phases: has workload without --workload-manifest"));
        assertTrue(assertThrows(ParameterException.class, () -> parse("--phases", "cluster"))
                .getMessage().startsWith("--phases: 'cluster' is not a phase (accepted: reset, prepare, runtime, control-plane, cni, workers"));
    }
}
