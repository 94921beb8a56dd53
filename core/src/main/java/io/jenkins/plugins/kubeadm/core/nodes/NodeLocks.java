package io.jenkins.plugins.kubeadm.core.nodes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Keeps two steps from changing one node at the same time: a step takes its nodes before it runs
 * anything there and gives them back when it ends. A step that finds a node taken waits, saying who
 * holds it, up to a time limit. Nodes are taken in name order, all or none, so two steps that want
 * overlapping sets never hold one each while waiting for the other's.
 */
public final class NodeLocks {

    /** How often a waiting step says again what it waits for. */
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);

    private final Map<String, String> holders = new HashMap<>();

    /** Nodes taken by one holder; closing gives them back (once). */
    public final class Lease implements AutoCloseable {
        private final List<String> nodes;
        private boolean released;

        private Lease(List<String> nodes) {
            this.nodes = nodes;
        }

        public List<String> nodes() {
            return nodes;
        }

        @Override
        public void close() {
            synchronized (NodeLocks.this) {
                if (!released) {
                    released = true;
                    nodes.forEach(holders::remove);
                    NodeLocks.this.notifyAll();
                }
            }
        }
    }

    /**
     * Takes every node of {@code nodes} for {@code holder}, waiting while another holder has any of them.
     *
     * @param holder   who takes them, as the waiting side is told (for instance "job #12 (resetNode)")
     * @param progress told when the wait starts and every {@link #PROGRESS_EVERY} while it lasts
     * @throws TimeoutException naming the nodes still taken and who holds them
     */
    public Lease acquire(List<String> nodes, String holder, Duration timeout, Consumer<String> progress)
            throws InterruptedException, TimeoutException {
        Objects.requireNonNull(holder, "holder");
        List<String> wanted = new ArrayList<>(new TreeSet<>(nodes));
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextProgress = 0;
        synchronized (this) {
            while (true) {
                Map<String, String> taken = takenAmong(wanted);
                if (taken.isEmpty()) {
                    wanted.forEach(node -> holders.put(node, holder));
                    return new Lease(List.copyOf(wanted));
                }
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    throw new TimeoutException("still in use after " + describe(timeout) + ": " + describeTaken(taken)
                            + "; nothing was changed on " + String.join(", ", wanted));
                }
                if (now - nextProgress >= 0) {
                    progress.accept("waiting for " + describeTaken(taken) + " (up to " + describe(timeout) + ")");
                    nextProgress = now + PROGRESS_EVERY.toNanos();
                }
                long waitNanos = Math.min(deadline - now, nextProgress - now);
                TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, waitNanos));
            }
        }
    }

    /** Who holds the node now, or null. */
    public synchronized String holderOf(String node) {
        return holders.get(node);
    }

    private Map<String, String> takenAmong(List<String> wanted) {
        Map<String, String> taken = new java.util.LinkedHashMap<>();
        for (String node : wanted) {
            String holder = holders.get(node);
            if (holder != null) {
                taken.put(node, holder);
            }
        }
        return taken;
    }

    private static String describeTaken(Map<String, String> taken) {
        List<String> parts = new ArrayList<>();
        taken.forEach((node, holder) -> parts.add(node + " is being changed by " + holder));
        return String.join(", ", parts);
    }

    private static String describe(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + " ms";
        }
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
