package io.jenkins.plugins.kubeadm.core.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Result files from a side the controller does not trust: only what was asked for, within the sizes. */
class CollectedRunTest {

    private static final ExecResult OK = new ExecResult(0, ExecResult.Outcome.COMPLETED, Duration.ofMillis(3));
    private static final String SECRET = "kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef";

    @Test
    void theFilesAskedForPassAndMissingOnesAreEmpty() throws IOException {
        CollectedRun run = CollectedRun.fromUntrusted("agent1", OK, Map.of("JOIN_COMMAND_FILE", SECRET.getBytes(StandardCharsets.UTF_8)),
                Set.of("JOIN_COMMAND_FILE", "OTHER_RESULT"));
        assertEquals(SECRET, new String(run.file("JOIN_COMMAND_FILE"), StandardCharsets.UTF_8));
        assertEquals(0, run.file("OTHER_RESULT").length);
    }

    @Test
    void aFileNotAskedForIsRefusedAndEveryContentZeroedWithoutNamingIt() {
        byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> files = new HashMap<>(Map.of("JOIN_COMMAND_FILE", secret, "../../etc/cron.d/x", new byte[] {1, 2}));
        IOException e = assertThrows(IOException.class, () -> CollectedRun.fromUntrusted("agent1", OK, files, Set.of("JOIN_COMMAND_FILE")));
        assertEquals("agent1 sent a result file the step did not ask for; the controller refused its reply", e.getMessage());
        assertArrayEquals(new byte[secret.length], secret, "the refused reply's secret is wiped");
        assertFalse(e.getMessage().contains("cron"));
    }

    @Test
    void oversizeFilesAreRefused() {
        IOException one = assertThrows(IOException.class, () -> CollectedRun.fromUntrusted("agent1", OK,
                Map.of("A", new byte[ResultFiles.MAX_BYTES + 1]), Set.of("A")));
        assertEquals("agent1 sent a result file over 1048576 bytes; the controller refused its reply", one.getMessage());
        IOException together = assertThrows(IOException.class, () -> CollectedRun.fromUntrusted("agent1", OK,
                Map.of("A", new byte[ResultFiles.MAX_BYTES / 2 + 1], "B", new byte[ResultFiles.MAX_BYTES / 2 + 1]), Set.of("A", "B")));
        assertEquals("agent1 sent result files over 1048576 bytes together; the controller refused its reply", together.getMessage());
    }
}
