package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NodeLocksTest {

    private final NodeLocks locks = new NodeLocks();

    @Test
    void aSecondHolderWaitsSayingWhoHoldsTheNodeAndGetsItWhenGivenBack() throws Exception {
        NodeLocks.Lease first = locks.acquire(List.of("worker1", "cp1"), "job-a #1 (resetNode)", Duration.ofMinutes(1), line -> { });
        assertEquals(List.of("cp1", "worker1"), first.nodes());
        List<String> said = new CopyOnWriteArrayList<>();
        Future<NodeLocks.Lease> second = CompletableFuture.supplyAsync(() -> {
            try {
                return locks.acquire(List.of("worker1"), "job-b #4 (prepareNode)", Duration.ofMinutes(1), said::add);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        waitUntil(() -> !said.isEmpty());
        assertFalse(second.isDone(), "the second holder must wait while the first holds worker1");
        assertEquals("waiting for worker1 is being changed by job-a #1 (resetNode) (up to 1 min)", said.get(0));
        first.close();
        try (NodeLocks.Lease lease = second.get(10, TimeUnit.SECONDS)) {
            assertEquals("job-b #4 (prepareNode)", locks.holderOf("worker1"));
            assertNull(locks.holderOf("cp1"));
            assertEquals(List.of("worker1"), lease.nodes());
        }
        assertNull(locks.holderOf("worker1"));
    }

    @Test
    void aWaitEndsAfterItsTimeNamingTheHolderAndTakesNothing() throws Exception {
        try (NodeLocks.Lease held = locks.acquire(List.of("worker2"), "job-a #1 (resetNode)", Duration.ofMinutes(1), line -> { })) {
            TimeoutException e = assertThrows(TimeoutException.class,
                    () -> locks.acquire(List.of("worker1", "worker2"), "job-b #2", Duration.ofMillis(300), line -> { }));
            assertEquals("still in use after 300 ms: worker2 is being changed by job-a #1 (resetNode); nothing was changed on worker1, worker2",
                    e.getMessage());
            assertNull(locks.holderOf("worker1"), "all or none: worker1 was free but must not stay taken");
            assertEquals("job-a #1 (resetNode)", locks.holderOf("worker2"));
        }
    }

    @Test
    void aWaitingHolderStopsWhenInterrupted() throws Exception {
        try (NodeLocks.Lease held = locks.acquire(List.of("cp1"), "job-a #1", Duration.ofMinutes(1), line -> { })) {
            CountDownLatch waiting = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try {
                    locks.acquire(List.of("cp1"), "job-b #1", Duration.ofMinutes(5), line -> waiting.countDown());
                } catch (InterruptedException expected) {
                    Thread.currentThread().interrupt();
                } catch (TimeoutException e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
            t.interrupt();
            t.join(10_000);
            assertFalse(t.isAlive(), "an aborted build must not keep waiting for the node");
        }
        assertNull(locks.holderOf("cp1"));
    }

    @Test
    void overlappingSetsTakenInAnyOrderNeverDeadlockAndNeverShareANode() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        try {
            List<List<String>> sets = List.of(List.of("a", "b"), List.of("b", "a"), List.of("b", "c"), List.of("c", "a"));
            List<Future<?>> futures = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 200; i++) {
                List<String> set = sets.get(i % sets.size());
                String holder = "holder " + i;
                futures.add(pool.submit(() -> {
                    try (NodeLocks.Lease lease = locks.acquire(set, holder, Duration.ofSeconds(30), line -> { })) {
                        for (String node : set) {
                            if (!holder.equals(locks.holderOf(node))) {
                                overlaps.incrementAndGet();
                            }
                        }
                        inside.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(200, inside.get());
        assertEquals(0, overlaps.get());
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
