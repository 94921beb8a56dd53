package io.jenkins.plugins.kubeadm.core.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepIndexTest {

    @TempDir
    Path dir;

    @Test
    void eachClosedLogIsOneLineWithItsOutcomeTimesAndFileAndNoNodeOutput() throws Exception {
        StepLogs logs = new StepLogs(dir, new SecretRedactor());
        StepLog prepare = logs.open("cp1", "prepare-node");
        prepare.line("a line the node printed");
        prepare.succeed();
        logs.open("worker 1", "install-runtime").fail("exit status 1", "journal lines");
        StepLog interrupted = logs.open("cp1", "kubeadm-init");
        interrupted.close();

        List<StepIndex.Entry> entries = StepIndex.read(dir);
        assertEquals(3, entries.size(), entries.toString());
        StepIndex.Entry first = entries.get(0);
        assertEquals(List.of("cp1", "prepare-node", "SUCCEEDED", "kubeadm-logs/cp1/01-prepare-node.log"),
                List.of(first.node(), first.step(), first.outcome().name(), first.log()));
        assertFalse(first.duration().isNegative());
        assertTrue(Files.isRegularFile(dir.resolve(first.log())), "the entry points at the archived log");
        assertEquals(List.of("worker 1", "FAILED", "kubeadm-logs/worker_1/01-install-runtime.log"),
                List.of(entries.get(1).node(), entries.get(1).outcome().name(), entries.get(1).log()));
        assertEquals(StepLog.Outcome.RUNNING, entries.get(2).outcome(), "a log closed without an outcome stays unfinished");
        String index = Files.readString(dir.resolve(StepIndex.FILE));
        assertFalse(index.contains("a line the node printed") || index.contains("journal") || index.contains("exit status"), index);
        assertFalse(Files.exists(dir.resolve("kubeadm-logs").resolve(StepIndex.FILE)), "beside the logs, not archived with them");
    }

    @Test
    void aLineCutShortIsSkippedAndTheRestRead() throws Exception {
        StepLogs logs = new StepLogs(dir, new SecretRedactor());
        logs.open("cp1", "reset-node").succeed();
        Files.writeString(dir.resolve(StepIndex.FILE), Files.readString(dir.resolve(StepIndex.FILE)) + "cp1\tprepare-node\t2\tSUCC");
        assertEquals(1, StepIndex.read(dir).size());
        assertEquals(List.of(), StepIndex.read(dir.resolve("nothing-here")));
    }
}
