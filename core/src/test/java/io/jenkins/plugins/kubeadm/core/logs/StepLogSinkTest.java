package io.jenkins.plugins.kubeadm.core.logs;

import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.LineSink.Stream;
import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import io.jenkins.plugins.kubeadm.core.secrets.JoinSecrets;
import io.jenkins.plugins.kubeadm.core.secrets.RedactingOutputStream;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepLogSinkTest {

    private static final String HASH = "sha256:b9aad86ca0adce7b5acc4b8dd4a48dc97bf0fcfcd34a582f00cb96057d1c8cc1";

    @TempDir
    Path outputDir;

    @Test
    void linesGoToEachNodesCurrentStepAndToTheConsole() throws IOException {
        SecretRedactor redactor = new SecretRedactor();
        redactor.add("sekrit-value");
        List<String> console = new CopyOnWriteArrayList<>();
        StepLogSink sink = new StepLogSink(new StepLogs(outputDir, redactor),
                (node, stream, text) -> console.add(node + " " + stream + " " + text));
        StepLog cp = sink.beginStep("cp1", "prepare-node");
        StepLog w1 = sink.beginStep("w1", "prepare-node");
        sink.line("cp1", Stream.STDOUT, "cp line sekrit-value");
        sink.line("w1", Stream.STDERR, "w1 line");
        sink.succeedStep("cp1");
        StepLog init = sink.beginStep("cp1", "kubeadm-init");
        sink.line("cp1", Stream.STDOUT, "init line");
        sink.close();

        assertTrue(Files.readString(cp.file()).contains("cp line ****\n"));
        assertFalse(Files.readString(cp.file()).contains("init line"));
        assertTrue(Files.readString(w1.file()).contains("w1 line\n"));
        assertTrue(Files.readString(init.file()).contains("init line\n"));
        assertEquals(List.of("cp1 STDOUT cp line ****", "w1 STDERR w1 line", "cp1 STDOUT init line"), console);
        assertTrue(w1.isClosed() && init.isClosed(), "close() closes every open step");
    }

    @Test
    void linesOutsideAStepAreKeptInAnImplicitOne() throws IOException {
        StepLogSink sink = new StepLogSink(new StepLogs(outputDir, new SecretRedactor()), LineSink.NONE);
        sink.line("w2", Stream.STDOUT, "stray");
        sink.close();
        assertTrue(Files.readString(outputDir.resolve("kubeadm-logs/w2/01-output.log")).contains("stray\n"));
    }

    @Test
    void failStepEndsTheLogWithDiagnosticsEvenWithoutOutput() throws IOException {
        StepLogSink sink = new StepLogSink(new StepLogs(outputDir, new SecretRedactor()), LineSink.NONE);
        StepLog log = sink.beginStep("w1", "kubeadm-join");
        sink.failStep("w1", "connection refused", "containerd: inactive");
        assertTrue(Files.readString(log.file()).endsWith("== diagnostics: diagnostics ==\ncontainerd: inactive\n"));
        assertTrue(sink.currentStep("w1").isEmpty());
    }

    @Test
    void consoleSinkPrefixesNodesAndRedacts() {
        SecretRedactor redactor = new SecretRedactor();
        redactor.add("sekrit-value");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ConsoleLineSink sink = new ConsoleLineSink(console, redactor);
        sink.line("cp1", Stream.STDOUT, "a sekrit-value");
        sink.line("w1", Stream.STDERR, "b");
        sink.finish();
        assertEquals("[cp1] a ****\n[w1:stderr] b\n", console.toString(StandardCharsets.UTF_8));
    }

    /**
     * A whole fake run: the control plane prints kubeadm's init output (token, control-plane join
     * command, certificate key), two workers join in parallel, one splits the token across two
     * writes, one fails with diagnostics that repeat the secrets; the console goes to a file in the
     * same folder. Afterwards no file under the folder holds the token, its secret half or the
     * certificate key.
     */
    @Test
    void fakeRunLeavesNoSecretInAnyFile() throws Exception {
        // Generated in Java and registered before any node could print them.
        String token = JoinSecrets.newBootstrapToken();
        String tokenSecret = token.substring(7);
        String certificateKey = JoinSecrets.newCertificateKey();
        SecretRedactor redactor = new SecretRedactor();
        redactor.addAll(JoinCommand.ofControlPlane("192.168.1.10:6443", token, List.of(HASH), certificateKey).secrets());

        Path consoleFile = outputDir.resolve("console.log");
        List<StepLog> logsWritten = new CopyOnWriteArrayList<>();
        try (OutputStream consoleOut = Files.newOutputStream(consoleFile)) {
            ConsoleLineSink console = new ConsoleLineSink(consoleOut, redactor);
            StepLogSink sink = new StepLogSink(new StepLogs(outputDir, redactor), console);

            logsWritten.add(sink.beginStep("cp1", "prepare-node"));
            sink.line("cp1", Stream.STDOUT, "swap disabled; net.ipv4.ip_forward = 1");
            sink.succeedStep("cp1");

            logsWritten.add(sink.beginStep("cp1", "kubeadm-init"));
            String initOutput = "[bootstrap-token] Using token: " + token + "\n"
                    + "[upload-certs] Using certificate key:\n" + certificateKey + "\n"
                    + "You can now join any number of the control-plane node running the following command on each as root:\n"
                    + "  kubeadm join 192.168.1.10:6443 --token " + token + " \\\n"
                    + "\t--discovery-token-ca-cert-hash " + HASH + " \\\n"
                    + "\t--control-plane --certificate-key " + certificateKey + "\n"
                    + "Then you can join any number of worker nodes by running the following on each as root:\n"
                    + "kubeadm join 192.168.1.10:6443 --token " + token + " \\\n"
                    + "\t--discovery-token-ca-cert-hash " + HASH + "\n";
            try (OutputStream stdout = redactor.wrap(new LinesTo(sink, "cp1", Stream.STDOUT))) {
                byte[] bytes = initOutput.getBytes(StandardCharsets.UTF_8);
                for (int at = 0; at < bytes.length; at += 37) {
                    stdout.write(bytes, at, Math.min(37, bytes.length - at));
                }
            }
            // The join command travels in memory only; parsing it must not log it either.
            JoinCommand join = JoinCommand.parseAll(initOutput).get(1);
            redactor.addAll(join.secrets());
            sink.line("cp1", Stream.STDOUT, "parsed " + join);
            sink.succeedStep("cp1");

            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<?>> workers = new ArrayList<>();
            for (String worker : List.of("w1", "w2")) {
                workers.add(pool.submit(() -> {
                    logsWritten.add(sink.beginStep(worker, "kubeadm-join"));
                    try (RedactingOutputStream stdout = redactor.wrap(new LinesTo(sink, worker, Stream.STDOUT))) {
                        String line = "joining with --token " + token + " now\n";
                        int split = line.indexOf(token) + 10;
                        stdout.write(line.substring(0, split).getBytes(StandardCharsets.UTF_8));
                        stdout.flush();
                        stdout.write(line.substring(split).getBytes(StandardCharsets.UTF_8));
                        stdout.write(new String(join.toJoinConfigurationYaml("1.31"), StandardCharsets.UTF_8)
                                .getBytes(StandardCharsets.UTF_8));
                    }
                    if (worker.equals("w2")) {
                        sink.failStep(worker, "kubeadm join failed for token " + token,
                                "kubelet journal: bootstrap token " + tokenSecret + " rejected\n"
                                        + "secret data token-secret: " + Base64.getEncoder().encodeToString(tokenSecret.getBytes(StandardCharsets.US_ASCII)) + "\n"
                                        + "certificate key " + certificateKey);
                    } else {
                        sink.succeedStep(worker);
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            sink.close();
            console.finish();
        }

        // The layout is there, including the failed step ending with its diagnostics.
        assertTrue(Files.isRegularFile(outputDir.resolve("kubeadm-logs/cp1/01-prepare-node.log")));
        assertTrue(Files.isRegularFile(outputDir.resolve("kubeadm-logs/cp1/02-kubeadm-init.log")));
        assertTrue(Files.isRegularFile(outputDir.resolve("kubeadm-logs/w1/01-kubeadm-join.log")));
        String failed = Files.readString(outputDir.resolve("kubeadm-logs/w2/01-kubeadm-join.log"));
        assertTrue(failed.endsWith("certificate key ****\n"), failed);
        assertTrue(failed.contains("FAILED: kubeadm join failed for token ****"), failed);
        String console = Files.readString(consoleFile);
        assertTrue(console.contains("[w1] joining with --token **** now"), console);
        assertTrue(console.contains("[cp1] ****"), "the certificate key line, masked: " + console);
        assertEquals(4, logsWritten.size());

        List<String> secrets = List.of(token, tokenSecret, certificateKey);
        assertTrue(LeakSearch.filesContaining(outputDir, secrets).isEmpty(),
                "secrets found in " + LeakSearch.filesContaining(outputDir, secrets));
    }

    @Test
    void leakSearchFindsASecretWhereOneIs() throws IOException {
        Path nested = Files.createDirectories(outputDir.resolve("kubeadm-logs/cp1"));
        Files.writeString(nested.resolve("01-x.log"), "clean");
        Files.writeString(nested.resolve("02-y.log"), "oops abcdef.0123456789abcdef");
        assertEquals(List.of(nested.resolve("02-y.log")), LeakSearch.filesContaining(outputDir, List.of("0123456789abcdef")));
    }

    /** Cuts bytes into lines for a LineSink, as the runners do. */
    private static final class LinesTo extends OutputStream {
        private final LineSink sink;
        private final String node;
        private final Stream stream;
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        LinesTo(LineSink sink, String node, Stream stream) {
            this.sink = sink;
            this.node = node;
            this.stream = stream;
        }

        @Override
        public void write(int b) {
            if (b == '\n') {
                sink.line(node, stream, current.toString(StandardCharsets.UTF_8));
                current.reset();
            } else {
                current.write(b);
            }
        }

        @Override
        public void close() {
            if (current.size() > 0) {
                write('\n');
            }
        }
    }
}
