package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node-side step lock of lib/common.sh (take_node_lock), with the lock file in a temporary
 * folder: a second step waits for the first, naming it, and gives up after its time limit.
 */
class NodeLockScriptTest {

    private static final Path SCRIPTS = Path.of("..").toAbsolutePath().normalize().resolve("resources/kubeadm/scripts");

    @TempDir
    Path dir;

    /** A step named {@code name} that takes the lock, says so, and holds it for {@code holdSeconds}. */
    Process step(String name, int holdSeconds, int timeoutSeconds) throws Exception {
        String body = ". lib/common.sh\nNODE_LOCK_FILE=" + dir.resolve("lock") + "\nNODE_LOCK_TIMEOUT_SECONDS=" + timeoutSeconds
                + "\ntake_node_lock\necho \"locked by $0\"\nsleep " + holdSeconds + "\n";
        return new ProcessBuilder("bash", "-c", body, name).directory(SCRIPTS.toFile()).redirectErrorStream(true).start();
    }

    static String output(Process p) throws Exception {
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aSecondStepWaitsForTheFirstSayingWhoHoldsTheNode() throws Exception {
        Process first = step("prepare-node.sh", 3, 10);
        waitForLockLine();
        Process second = step("install-runtime.sh", 0, 20);
        String waited = output(second);
        assertEquals(0, second.exitValue(), waited);
        assertTrue(waited.contains("==> waiting for this node: prepare-node.sh (process "), waited);
        assertTrue(waited.endsWith("locked by install-runtime.sh\n"), waited);
        assertEquals(0, first.waitFor(), output(first));
        assertTrue(Files.readString(dir.resolve("lock")).startsWith("install-runtime.sh (process "), "the holder line is the last taker's");
    }

    @Test
    void aStepGivesUpAfterItsTimeLimitChangingNothing() throws Exception {
        Process first = step("reset-node.sh", 8, 10);
        waitForLockLine();
        Process second = step("kubeadm-join.sh", 0, 2);
        String refused = output(second);
        assertEquals(1, second.exitValue(), refused);
        assertTrue(refused.contains("ERROR: another kubeadm-pipeline step has been changing this node for over 2s: reset-node.sh (process "),
                refused);
        assertTrue(!refused.contains("locked by"), refused);
        first.destroy();
    }

    @Test
    void everyScriptThatChangesANodeTakesTheLockAndOnlyThose() throws Exception {
        List<Path> scripts;
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            scripts = files.filter(f -> f.toString().endsWith(".sh")).sorted().toList();
        }
        for (Path script : scripts) {
            boolean readsOnly = List.of("fetch-admin-kubeconfig.sh", "node-name.sh").contains(script.getFileName().toString());
            String text = Files.readString(script);
            assertEquals(!readsOnly, text.contains("\nrequire_root\ntake_node_lock\n"), script.getFileName().toString());
        }
    }

    private void waitForLockLine() throws Exception {
        for (int i = 0; i < 100 && !(Files.exists(dir.resolve("lock")) && Files.size(dir.resolve("lock")) > 0); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.size(dir.resolve("lock")) > 0, "the first step took the lock");
    }
}
