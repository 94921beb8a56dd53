package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ExecResult;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import io.jenkins.plugins.kubeadm.core.exec.StepRequest;
import io.jenkins.plugins.kubeadm.core.exec.StepScript;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.testnodes.StandInAptRepository;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * gpu-node.sh on a real Debian node with real containerd; only nvidia-smi and nvidia-ctk are
 * stand-ins (src/test/resources/standins/gpu), as there is no GPU here.
 */
class GpuNodeIT {

    static TestNodes nodes;
    static StandInAptRepository repo;
    static TestNode gpu;
    static final List<String> output = new CopyOnWriteArrayList<>();
    static final LineSink SINK = (node, stream, text) -> {
        output.add(text);
        System.out.println("[" + node + "] " + text);
    };

    @BeforeAll
    static void gpuNodeWithRuntime() throws Exception {
        nodes = TestNodes.start("gpu1");
        repo = StandInAptRepository.serve(nodes.hostAddress(), List.of("1.34.1-1.1"));
        gpu = nodes.node("gpu1");
        try (SshScriptRunner runner = gpu.runner()) {
            NodeSteps.prepareNodes(List.of(runner), n -> PrepareNodeParams.of("worker", null, null, null), SINK, Duration.ofMinutes(3),
                    Cancellation.none());
            installRuntime();
        }
        for (String tool : List.of("nvidia-smi", "nvidia-ctk")) {
            try (InputStream in = GpuNodeIT.class.getResourceAsStream("/standins/gpu/" + tool)) {
                gpu.ssh("install -m 0755 /dev/stdin /usr/local/bin/" + tool, in.readAllBytes());
            }
        }
    }

    @AfterAll
    static void stop() {
        if (repo != null) {
            repo.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    static void installRuntime() throws Exception {
        try (SshScriptRunner runner = gpu.runner()) {
            NodeSteps.installRuntime(List.of(runner), InstallRuntimeParams.of("1.34", null, repo.repoUrl("1.34"), null), SINK,
                    Duration.ofMinutes(10), Cancellation.none());
        }
    }

    static ExecResult gpuNode(Map<String, String> env) throws Exception {
        try (SshScriptRunner runner = gpu.runner()) {
            return runner.run(StepRequest.of(StepScript.load("gpu-node.sh"), env), SINK, Duration.ofMinutes(3), Cancellation.none());
        }
    }

    static String containerdPid() {
        return gpu.sh("systemctl show -p MainPID --value containerd").trim();
    }

    @Test
    void nvidiaBecomesTheDefaultRuntimeOnceAndReRunsOfBothStepsChangeNothing() throws Exception {
        String pidBefore = containerdPid();
        assertTrue(gpuNode(Map.of()).succeeded(), output.toString());
        String dump = gpu.sh("containerd config dump");
        assertTrue(dump.contains("runtimes.nvidia]"), "containerd does not load the nvidia runtime");
        assertTrue(dump.contains("default_runtime_name = \"nvidia\""), "nvidia is not containerd's default runtime");
        assertEquals("active", gpu.sh("systemctl is-active containerd").trim());
        String pidAfter = containerdPid();
        assertNotEquals(pidBefore, pidAfter, "containerd was not restarted after its config changed");

        String config = gpu.sh("sha256sum /etc/containerd/config.toml");
        assertTrue(gpuNode(Map.of()).succeeded());
        installRuntime();
        assertEquals(config, gpu.sh("sha256sum /etc/containerd/config.toml"), "a re-run changed the containerd config");
        assertEquals(pidAfter, containerdPid(), "a re-run restarted containerd");
    }

    @Test
    void eachMissingPrerequisiteIsNamedWithWhatToInstall() throws Exception {
        gpu.sh("mv /usr/local/bin/nvidia-ctk /usr/local/bin/nvidia-ctk.off");
        try {
            output.clear();
            assertEquals(1, gpuNode(Map.of()).exitStatus());
            assertTrue(output.stream().anyMatch(l -> l.startsWith("ERROR: nvidia-ctk not found: install nvidia-container-toolkit")), output.toString());
        } finally {
            gpu.sh("mv /usr/local/bin/nvidia-ctk.off /usr/local/bin/nvidia-ctk");
        }
        output.clear();
        assertEquals(1, gpuNode(Map.of("MIN_DRIVER_VERSION", "999.1")).exitStatus());
        assertTrue(output.stream().anyMatch(l -> l.startsWith("ERROR: NVIDIA driver 550.54.15 is older than MIN_DRIVER_VERSION 999.1")),
                output.toString());
    }
}
