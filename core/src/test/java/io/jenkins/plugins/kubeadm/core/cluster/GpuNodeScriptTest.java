package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gpu-node.sh run locally with stand-ins for nvidia-smi, nvidia-ctk, containerd and systemctl
 * (core/src/test/resources/standins/gpu) on PATH and a scratch containerd config. The run on a
 * real Debian node is the node harness's job.
 */
class GpuNodeScriptTest {

    private static final String INITIAL_CONFIG = """
            version = 2

            [plugins."io.containerd.grpc.v1.cri".containerd]
              default_runtime_name = "runc"
            """;

    @TempDir
    Path dir;
    private Path bin;
    private Path config;
    private Path log;

    record Run(int exit, String stdout, String stderr) {
    }

    @BeforeEach
    void standIns() throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("nvidia-smi", "nvidia-ctk", "containerd", "systemctl")) {
            try (InputStream in = GpuNodeScriptTest.class.getResourceAsStream("/standins/gpu/" + tool)) {
                Path target = bin.resolve(tool);
                Files.copy(in, target);
                assertTrue(target.toFile().setExecutable(true));
            }
        }
        // The script must run as root; the test may not, so id answers as root would.
        Path id = bin.resolve("id");
        Files.writeString(id, "#!/bin/sh\n[ \"$1\" = -u ] && echo 0 && exit 0\nexec /usr/bin/id \"$@\"\n");
        assertTrue(id.toFile().setExecutable(true));
        config = dir.resolve("config.toml");
        Files.writeString(config, INITIAL_CONFIG);
        log = dir.resolve("calls.log");
        Files.writeString(log, "");
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        Path script = Path.of(GpuNodeScriptTest.class.getResource("/kubeadm/scripts/gpu-node.sh").toURI());
        List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> environment = pb.environment();
        environment.clear();
        environment.put("PATH", bin + ":/usr/local/bin:/usr/bin:/bin");
        environment.put("CONTAINERD_CONFIG", config.toString());
        environment.put("STANDIN_LOG", log.toString());
        environment.putAll(env);
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "gpu-node.sh finished");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private long restarts() throws IOException {
        return Files.readAllLines(log).stream().filter(l -> l.equals("systemctl restart containerd")).count();
    }

    @Test
    void defaultModeMakesNvidiaTheDefaultRuntimeAndRestartsContainerdOnlyOnce() throws Exception {
        Run first = run(Map.of());
        assertEquals(0, first.exit(), first.stderr());
        assertTrue(first.stdout().contains("==> GPU node ready: driver 550.54.15, 1 GPU(s), containerd runtime nvidia (default)"),
                first.stdout());
        String written = Files.readString(config);
        assertTrue(written.contains("runtimes.nvidia]") && written.contains("default_runtime_name = \"nvidia\""), written);
        assertEquals(1, restarts());

        Run second = run(Map.of());
        assertEquals(0, second.exit(), second.stderr());
        assertTrue(second.stdout().contains("containerd not restarted"), second.stdout());
        assertEquals(1, restarts(), "an unchanged config does not restart containerd");
        assertEquals(written, Files.readString(config));
    }

    @Test
    void runtimeClassModeAddsTheRuntimeButKeepsRuncAsDefault() throws Exception {
        Run run = run(Map.of("NVIDIA_RUNTIME_MODE", "runtimeclass", "STANDIN_GPUS", "NVIDIA A100;NVIDIA A100"));
        assertEquals(0, run.exit(), run.stderr());
        String written = Files.readString(config);
        assertTrue(written.contains("runtimes.nvidia]") && written.contains("default_runtime_name = \"runc\""), written);
        assertTrue(run.stdout().contains("2 GPU(s): NVIDIA A100;NVIDIA A100"), run.stdout());
    }

    @Test
    void runtimeClassModeRefusesAConfigWhereNvidiaIsAlreadyDefault() throws Exception {
        assertEquals(0, run(Map.of()).exit());
        Run run = run(Map.of("NVIDIA_RUNTIME_MODE", "runtimeclass"));
        assertEquals(1, run.exit());
        assertTrue(run.stderr().startsWith("ERROR: containerd's default runtime is already nvidia"), run.stderr());
    }

    @Test
    void driverOlderThanTheMinimumIsRefusedWithoutTouchingContainerd() throws Exception {
        Run run = run(Map.of("STANDIN_DRIVER_VERSION", "470.57.02", "MIN_DRIVER_VERSION", "535"));
        assertEquals(1, run.exit());
        assertEquals("ERROR: NVIDIA driver 470.57.02 is older than MIN_DRIVER_VERSION 535: install a newer driver\n", run.stderr());
        assertEquals(INITIAL_CONFIG, Files.readString(config));
        assertEquals(0, restarts());
    }

    @Test
    void eachMissingPrerequisiteIsNamedWithWhatToInstall() throws Exception {
        Run noDriver = run(Map.of("STANDIN_NO_DRIVER", "1"));
        assertEquals(1, noDriver.exit());
        assertTrue(noDriver.stderr().startsWith("ERROR: nvidia-smi cannot query the GPU: NVIDIA-SMI has failed"), noDriver.stderr());

        Files.delete(bin.resolve("nvidia-ctk"));
        Run noToolkit = run(Map.of());
        assertEquals(1, noToolkit.exit());
        assertTrue(noToolkit.stderr().contains("nvidia-ctk not found: install nvidia-container-toolkit"), noToolkit.stderr());

        Files.delete(bin.resolve("nvidia-smi"));
        Run noSmi = run(Map.of());
        assertEquals(1, noSmi.exit());
        assertTrue(noSmi.stderr().contains("nvidia-smi not found: install the NVIDIA driver"), noSmi.stderr());
        assertEquals(1, noSmi.stderr().lines().count(), "a one-line reason: " + noSmi.stderr());
    }

    @Test
    void inputsAreValidatedBeforeAnythingRuns() throws Exception {
        Run mode = run(Map.of("NVIDIA_RUNTIME_MODE", "cdi"));
        assertEquals(1, mode.exit());
        assertEquals("ERROR: NVIDIA_RUNTIME_MODE: 'cdi' is not a mode (accepted: default | runtimeclass)\n", mode.stderr());
        assertEquals("", mode.stdout());
        Run version = run(Map.of("MIN_DRIVER_VERSION", "latest"));
        assertTrue(version.stderr().startsWith("ERROR: MIN_DRIVER_VERSION: 'latest' is not a driver version"), version.stderr());
        Run arg = run(Map.of(), "--mode=default");
        assertEquals(1, arg.exit());
        assertTrue(arg.stderr().contains("unexpected argument '--mode=default'"), arg.stderr());
        assertEquals("", Files.readString(log));
    }

    @Test
    void helpListsEveryVariableWithItsDefault() throws Exception {
        Run help = run(Map.of(), "--help");
        assertEquals(0, help.exit());
        for (String line : List.of("MIN_DRIVER_VERSION", "(default: 418.81.07", "NVIDIA_RUNTIME_MODE", "(default: default)",
                "CONTAINERD_CONFIG", "(default: /etc/containerd/config.toml")) {
            assertTrue(help.stdout().contains(line), line + " in " + help.stdout());
        }
    }

    @Test
    void standInsRejectWhatTheRealToolsReject() throws Exception {
        for (List<String> bad : List.of(List.of("nvidia-smi", "--query-gpu=driver_version", "--format=xml"),
                List.of("nvidia-smi", "--query-gpu=fan.speed.bogus", "--format=csv"),
                List.of("nvidia-smi", "--no-such-option"),
                List.of("nvidia-ctk", "runtime", "configure", "--runtime=containerd", "--config=" + config, "--cdi"),
                List.of("nvidia-ctk", "runtime", "configure", "--runtime=podman", "--config=" + config))) {
            List<String> command = new java.util.ArrayList<>(bad);
            command.set(0, bin.resolve(bad.get(0)).toString());
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertFalse(p.exitValue() == 0, bad + " must fail: " + output);
        }
        assertEquals(INITIAL_CONFIG, Files.readString(config));
    }

}
