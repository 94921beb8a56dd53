package io.jenkins.plugins.kubeadm.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Lines from bytes; a bounded splitter refuses output past its limits and says so once. */
class LineSplitterTest {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicInteger violations = new AtomicInteger();

    private LineSplitter bounded() {
        return LineSink.boundedLines((node, stream, text) -> lines.add(text), "agent1", LineSink.Stream.STDOUT, violations::incrementAndGet);
    }

    @Test
    void linesSplitAcrossWritesComeOutWhole() {
        LineSplitter out = bounded();
        out.write("one\ntw".getBytes(StandardCharsets.UTF_8), 0, 6);
        out.write("o\r\nthree".getBytes(StandardCharsets.UTF_8), 0, 8);
        out.close();
        assertEquals(List.of("one", "two", "three"), lines);
        assertNull(out.violation());
    }

    @Test
    void aLineJustUnderTheLimitPassesAndOneOverItIsRefusedOnceEvenWhenItArrivesInPieces() {
        LineSplitter out = bounded();
        byte[] longest = "x".repeat(LineSink.MAX_LINE_BYTES).getBytes(StandardCharsets.UTF_8);
        out.write(longest, 0, longest.length);
        out.write('\n');
        assertEquals(1, lines.size());
        assertEquals(LineSink.MAX_LINE_BYTES, lines.get(0).length());
        byte[] half = "y".repeat(LineSink.MAX_LINE_BYTES / 2 + 1).getBytes(StandardCharsets.UTF_8);
        out.write(half, 0, half.length);
        out.write(half, 0, half.length);
        out.write("\nafter\n".getBytes(StandardCharsets.UTF_8), 0, 7);
        out.close();
        assertEquals("agent1 sent an output line longer than 65536 bytes; the controller refused the rest of its reply", out.violation());
        assertEquals(1, violations.get());
        assertEquals(1, lines.size(), "nothing of the long line, nor anything after it, is kept");
    }

    @Test
    void moreOutputThanTheLimitIsRefused() {
        AtomicInteger counted = new AtomicInteger();
        LineSplitter out = LineSink.boundedLines((node, stream, text) -> counted.incrementAndGet(), "agent1", LineSink.Stream.STDOUT,
                violations::incrementAndGet);
        byte[] block = ("z".repeat(1023) + "\n").getBytes(StandardCharsets.UTF_8);
        long blocks = LineSink.MAX_OUTPUT_BYTES / block.length + 1;
        for (long i = 0; i < blocks; i++) {
            out.write(block, 0, block.length);
        }
        assertTrue(out.violation().startsWith("agent1 sent more than 67108864 bytes of output"), out.violation());
        assertEquals(1, violations.get());
        assertEquals(LineSink.MAX_OUTPUT_BYTES / block.length, counted.get());
    }

    @Test
    void anUnboundedSplitterForLocalOutputTakesLongLines() {
        java.io.OutputStream out = LineSink.lines((node, stream, text) -> lines.add(text), "local", LineSink.Stream.STDOUT);
        byte[] longLine = ("w".repeat(LineSink.MAX_LINE_BYTES * 2) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            out.write(longLine);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(LineSink.MAX_LINE_BYTES * 2, lines.get(0).length());
    }
}
