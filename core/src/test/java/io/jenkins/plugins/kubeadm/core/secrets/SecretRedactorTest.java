package io.jenkins.plugins.kubeadm.core.secrets;

import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretRedactorTest {

    private static final String TOKEN = JoinCommandTest.TOKEN;
    private static final String TOKEN_SECRET = JoinCommandTest.TOKEN_SECRET;
    private static final String CERT_KEY = JoinCommandTest.CERT_KEY;

    private static SecretRedactor redactorWith(String... secrets) {
        SecretRedactor redactor = SecretRedactor.literalOnly();
        for (String s : secrets) {
            redactor.add(s);
        }
        return redactor;
    }

    /** Writes the chunks as separate write() calls, closes, and returns what reached the target. */
    private static String stream(SecretRedactor redactor, String... chunks) throws IOException {
        ByteArrayOutputStream target = new ByteArrayOutputStream();
        try (RedactingOutputStream out = redactor.wrap(target)) {
            for (String chunk : chunks) {
                out.write(chunk.getBytes(StandardCharsets.UTF_8));
            }
        }
        return target.toString(StandardCharsets.UTF_8);
    }

    @Test
    void masksWholeSecretsInText() {
        SecretRedactor redactor = redactorWith(TOKEN, TOKEN_SECRET, CERT_KEY);
        assertEquals("join --token **** --certificate-key ****",
                redactor.redact("join --token " + TOKEN + " --certificate-key " + CERT_KEY));
        assertEquals("secret half alone: ****!", redactor.redact("secret half alone: " + TOKEN_SECRET + "!"));
        assertEquals("nothing here", redactor.redact("nothing here"));
        assertNull(redactor.redact(null));
    }

    @Test
    void masksTokenSplitAcrossTwoWritesAtEveryPosition() throws IOException {
        SecretRedactor redactor = redactorWith(TOKEN, TOKEN_SECRET);
        String line = "[bootstrap-token] Using token: " + TOKEN + "\n";
        String expected = "[bootstrap-token] Using token: ****\n";
        int tokenStart = line.indexOf(TOKEN);
        for (int split = 0; split <= line.length(); split++) {
            String out = stream(redactor, line.substring(0, split), line.substring(split));
            assertEquals(expected, out, "split at " + split + " (token starts at " + tokenStart + ")");
        }
    }

    @Test
    void masksSecretWrittenOneByteAtATime() throws IOException {
        SecretRedactor redactor = redactorWith(CERT_KEY);
        ByteArrayOutputStream target = new ByteArrayOutputStream();
        try (RedactingOutputStream out = redactor.wrap(target)) {
            for (byte b : ("key " + CERT_KEY + " end\n").getBytes(StandardCharsets.UTF_8)) {
                out.write(b);
            }
        }
        assertEquals("key **** end\n", target.toString(StandardCharsets.UTF_8));
    }

    @Test
    void holdsOnlyWhatMayStillBeASecretAndReleasesItAtLineEnd() throws IOException {
        SecretRedactor redactor = redactorWith(TOKEN);
        ByteArrayOutputStream target = new ByteArrayOutputStream();
        RedactingOutputStream out = redactor.wrap(target);
        out.write("hello ubptkc.w4jz".getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertEquals("hello ", target.toString(StandardCharsets.UTF_8), "a secret's first part must not be released by flush");
        out.write("ZZ\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("hello ubptkc.w4jzZZ\n", target.toString(StandardCharsets.UTF_8),
                "once it cannot be the secret any more, it is released without waiting for close");
        out.write("ubptkc".getBytes(StandardCharsets.UTF_8));
        out.finish();
        assertEquals("hello ubptkc.w4jzZZ\nubptkc", target.toString(StandardCharsets.UTF_8), "finish releases everything");
    }

    @Test
    void heldTailIsShorterThanTheLongestSecret() {
        SecretRedactor redactor = redactorWith("aaaaaaaaab");
        RedactionState state = new RedactionState();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] as = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);
        state.process(redactor.patterns(), as, 0, as.length, false, out);
        assertEquals(9, state.heldLength());
        assertEquals(as.length - 9, out.size());
    }

    @Test
    void masksOverlappingSecretsAsOneRun() throws IOException {
        // The token and its secret half overlap; so do two secrets sharing "123456".
        SecretRedactor redactor = redactorWith(TOKEN, TOKEN_SECRET, "abcdef123456", "123456uvwxyz");
        assertEquals("t=****;", redactor.redact("t=" + TOKEN + ";"));
        assertEquals("x****y", redactor.redact("xabcdef123456uvwxyzy"));
        assertEquals("x****y", stream(redactor, "xabcdef123", "456uv", "wxyzy"));
    }

    @Test
    void masksAdjacentSecretsWithoutLeavingAFragment() throws IOException {
        SecretRedactor redactor = redactorWith("secretAAA", "secretBBB");
        String out = stream(redactor, "[secretAAAsecr", "etBBBsecretAAA]");
        assertEquals("[************]", out);
    }

    @Test
    void prefersTheLongestSecretStartingAtAPosition() {
        SecretRedactor redactor = redactorWith("passwd", "passwd-and-more");
        assertEquals("<****>", redactor.redact("<passwd-and-more>"));
        assertEquals("<****-and-less>", redactor.redact("<passwd-and-less>"));
    }

    @Test
    void secretsAddedMidStreamApplyToWhatFollows() throws IOException {
        SecretRedactor redactor = SecretRedactor.literalOnly();
        ByteArrayOutputStream target = new ByteArrayOutputStream();
        try (RedactingOutputStream out = redactor.wrap(target)) {
            out.write("before: nothing registered\n".getBytes(StandardCharsets.UTF_8));
            out.write(("key=" + CERT_KEY.substring(0, 20)).getBytes(StandardCharsets.UTF_8));
            assertTrue(redactor.add(CERT_KEY));
            out.write((CERT_KEY.substring(20) + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(("again " + CERT_KEY + "\n").getBytes(StandardCharsets.UTF_8));
        }
        String text = target.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("before: nothing registered\n"), text);
        assertTrue(text.endsWith("again ****\n"), text);
    }

    @Test
    void shortSecretsAreIgnored() {
        SecretRedactor redactor = SecretRedactor.literalOnly();
        assertFalse(redactor.add("admin"));
        assertFalse(redactor.add(null));
        assertTrue(redactor.add("admin1"));
        assertFalse(redactor.add("admin1"), "already known");
        assertEquals(1, redactor.size());
        assertEquals("admin, ****", redactor.redact("admin, admin1"));
    }

    @Test
    void masksBootstrapTokenShapesUnlessLiteralOnly() {
        String kubeadmOwnToken = "9vr73a.a8uxyaju799qwdjv";
        assertEquals("[bootstrap-token] Using token: ****", new SecretRedactor().redact("[bootstrap-token] Using token: " + kubeadmOwnToken));
        assertEquals("registry.k8s.io/kube-apiserver:v1.31.2", new SecretRedactor().redact("registry.k8s.io/kube-apiserver:v1.31.2"));
        assertEquals(kubeadmOwnToken, SecretRedactor.literalOnly().redact(kubeadmOwnToken));
    }

    @Test
    void keepsMultiByteTextAroundSecretsIntact() throws IOException {
        SecretRedactor redactor = redactorWith(TOKEN_SECRET);
        String line = "トークン→" + TOKEN_SECRET + "←終わり\n";
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            ByteArrayOutputStream target = new ByteArrayOutputStream();
            try (RedactingOutputStream out = redactor.wrap(target)) {
                out.write(bytes, 0, split);
                out.write(bytes, split, bytes.length - split);
            }
            assertEquals("トークン→****←終わり\n", target.toString(StandardCharsets.UTF_8));
        }
    }

    /** Random texts over a small alphabet, random secrets and random write boundaries, against a plain reference. */
    @Test
    void streamingAgreesWithAReferenceAtRandomBoundaries() throws IOException {
        Random random = new Random(20240611);
        for (int round = 0; round < 400; round++) {
            List<String> secrets = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                secrets.add(randomText(random, 6 + random.nextInt(6), "abc"));
            }
            SecretRedactor redactor = redactorWith(secrets.toArray(new String[0]));
            StringBuilder text = new StringBuilder(randomText(random, random.nextInt(20), "abc\n"));
            for (int i = 0; i < 3; i++) {
                text.append(secrets.get(random.nextInt(secrets.size()))).append(randomText(random, random.nextInt(8), "abc\n"));
            }
            String input = text.toString();
            List<String> chunks = new ArrayList<>();
            int at = 0;
            while (at < input.length()) {
                int next = Math.min(input.length(), at + 1 + random.nextInt(7));
                chunks.add(input.substring(at, next));
                at = next;
            }
            String expected = reference(input, secrets);
            assertEquals(expected, stream(redactor, chunks.toArray(new String[0])), "secrets " + secrets + " in " + input);
            assertEquals(expected, redactor.redact(input));
            for (String secret : secrets) {
                assertFalse(expected.contains(secret));
            }
        }
    }

    /** Masks the union of all occurrences, one mask per maximal run of overlapping occurrences. */
    private static String reference(String text, List<String> secrets) {
        int[] coverEnd = new int[text.length() + 1];
        for (String secret : secrets) {
            for (int i = text.indexOf(secret); i >= 0; i = text.indexOf(secret, i + 1)) {
                coverEnd[i] = Math.max(coverEnd[i], i + secret.length());
            }
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            if (coverEnd[i] > i) {
                int end = coverEnd[i];
                for (int j = i; j < end; j++) {
                    end = Math.max(end, coverEnd[j]);
                }
                out.append(SecretRedactor.MASK);
                i = end;
            } else {
                out.append(text.charAt(i++));
            }
        }
        return out.toString();
    }

    private static String randomText(Random random, int length, String alphabet) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Test
    void concurrentWritersAndAddersLoseNoLineAndLeakNoEarlierSecret() throws Exception {
        SecretRedactor redactor = SecretRedactor.literalOnly();
        redactor.add(TOKEN);
        ByteArrayOutputStream target = new ByteArrayOutputStream();
        RedactingOutputStream out = redactor.wrap(target);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int writer = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 200; i++) {
                    out.write(("w" + writer + " line " + i + " " + TOKEN + "\n").getBytes(StandardCharsets.UTF_8));
                }
                return null;
            }));
        }
        futures.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < 50; i++) {
                redactor.add("added-secret-" + i);
            }
            return null;
        }));
        start.countDown();
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        out.close();
        String text = target.toString(StandardCharsets.UTF_8);
        assertEquals(600, text.lines().count());
        assertFalse(text.contains(TOKEN_SECRET));
        assertEquals(51, redactor.size());
    }

    @Test
    void lineSinkDecoratorMasksWholeLines() {
        SecretRedactor redactor = redactorWith(TOKEN, TOKEN_SECRET);
        List<String> seen = new CopyOnWriteArrayList<>();
        LineSink sink = new RedactingLineSink((node, stream, text) -> seen.add(node + "|" + stream + "|" + text), redactor);
        sink.line("cp1", LineSink.Stream.STDERR, "kubeadm join 10.0.0.5:6443 --token " + TOKEN);
        assertEquals(List.of("cp1|STDERR|kubeadm join 10.0.0.5:6443 --token ****"), seen);
    }
}
