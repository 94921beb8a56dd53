package io.jenkins.plugins.kubeadm.core.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterFactsTest {

    @TempDir
    Path dir;

    @Test
    void theLastValueOfAKeyWinsValuesAreRedactedAndKeptOnOneLine() throws Exception {
        SecretRedactor redactor = new SecretRedactor();
        redactor.add("s3cr3t-value-xyz");
        ClusterFacts facts = new ClusterFacts(new StepLogs(dir, redactor));
        facts.record("kubernetesVersion", "v1.26.0");
        facts.record(ClusterFacts.nodeKey("worker 1", "address"), "10.0.0.2");
        facts.record("kubernetesVersion", "v1.26.1");
        facts.record("apiServer", "10.0.0.1:6443 s3cr3t-value-xyz\nsecond line");
        facts.record("cni", null);

        Map<String, String> read = ClusterFacts.read(dir);
        assertEquals(List.of("kubernetesVersion", "node.worker_1.address", "apiServer"), List.copyOf(read.keySet()));
        assertEquals("v1.26.1", read.get("kubernetesVersion"));
        assertFalse(Files.readString(dir.resolve(ClusterFacts.FILE)).contains("s3cr3t-value-xyz"));
        assertEquals(1, read.get("apiServer").lines().count());
        assertThrows(IllegalArgumentException.class, () -> facts.record("Bad Key", "x"));
    }
}
