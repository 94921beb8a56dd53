package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe pods' scripts run by a POSIX sh with stand-ins for busybox's wget and nslookup: the lines
 * the client prints are the ones ClusterVerifier reads, and no value reaches the script text.
 */
class VerifyProbeScriptTest {

    @TempDir
    Path dir;

    @Test
    void theClientPrintsOneResultLinePerCheck() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        stub(bin.resolve("wget"), """
                #!/bin/sh
                for last; do :; done
                case "$last" in
                  http://10.244.1.2:8080/) printf 'worker1' ;;
                  http://10.244.3.2:8080/) exec sleep 30 ;;
                  http://10.96.0.20/) printf 'worker1' ;;
                  *) echo "wget: can't connect to remote host: Connection refused"; exit 1 ;;
                esac
                """);
        stub(bin.resolve("nslookup"), "#!/bin/sh\necho 'Server: 10.96.0.10'\necho \"Name: $1\"\n");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", ClusterVerifier.CLIENT_SCRIPT).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        pb.environment().put("TARGETS", "worker1=10.244.1.2 worker2=10.244.2.2 worker3=10.244.3.2");
        pb.environment().put("SERVICE_IP", "10.96.0.20");
        Process run = pb.start();
        long start = System.nanoTime();
        assertTrue(run.waitFor(30, TimeUnit.SECONDS));
        assertTrue((System.nanoTime() - start) / 1_000_000_000 < 15, "a hanging fetch is given up after 5 s, not waited out");
        // Only its result lines count (a shell may also say "Terminated" of the fetch it stopped).
        List<String> lines = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(line -> line.startsWith(ClusterVerifier.MARKER + " ")).toList();
        assertEquals(List.of("VERIFY pod worker1 ok worker1", "VERIFY pod worker2 fail wget: can't connect to remote host: Connection refused",
                "VERIFY pod worker3 fail no answer within 5 s", "VERIFY dns - ok", "VERIFY service - ok worker1"), lines);
        assertEquals(0, run.exitValue());
    }

    @Test
    void theScriptsAreConstantsTheNodeNamesTravelAsEnvironment() {
        var server = ClusterVerifier.serverPod("worker-1", "busybox:1.36.1");
        assertEquals(List.of("sh", "-c", ClusterVerifier.SERVER_SCRIPT), server.getSpec().getContainers().get(0).getCommand());
        assertEquals("worker-1", server.getSpec().getContainers().get(0).getEnv().get(0).getValue());
        assertEquals("worker-1", server.getSpec().getNodeName());
        assertEquals("server-worker-1", server.getMetadata().getName());
        var client = ClusterVerifier.clientPod("cp1", "busybox:1.36.1", "worker-1=10.244.1.2", "10.96.0.20");
        assertEquals("Never", client.getSpec().getRestartPolicy());
        assertEquals("Exists", client.getSpec().getTolerations().get(0).getOperator());
    }

    private static void stub(Path file, String text) throws Exception {
        Files.writeString(file, text);
        assertTrue(file.toFile().setExecutable(true));
    }
}
