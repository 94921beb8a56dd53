package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Informers over the objects a wait depends on, and the wait itself: the condition is evaluated
 * again whenever an informer sees a change, or when the last evaluation asked to be repeated at a
 * given time (a grace period ends), never on a polling interval. A progress line is printed
 * whenever the summary changes, and repeated every heartbeat while nothing changes.
 */
final class Watches implements AutoCloseable {

    private final Object lock = new Object();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private long changes;

    /** A live, read-only view of what an informer holds. */
    interface View<T> {
        List<T> list();

        default T first() {
            List<T> all = list();
            return all.isEmpty() ? null : all.get(0);
        }
    }

    /**
     * Starts an informer (blocking until its first list is in) and returns its view.
     *
     * @param resource  RBAC's name for the resource, for a forbidden-list message
     * @param namespace the namespace watched, or null
     */
    <T extends HasMetadata> View<T> watch(Informable<T> source, String resource, String namespace) {
        SharedIndexInformer<T> informer;
        try {
            informer = source.inform(new ResourceEventHandler<T>() {
                @Override
                public void onAdd(T obj) {
                    changed();
                }

                @Override
                public void onUpdate(T oldObj, T newObj) {
                    changed();
                }

                @Override
                public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                    changed();
                }
            });
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "watch", resource, namespace, null);
        }
        informers.add(informer);
        return () -> informer.getStore().list();
    }

    private void changed() {
        synchronized (lock) {
            changes++;
            lock.notifyAll();
        }
    }

    /**
     * Waits until {@code check} reports ready, fails, or the timeout passes.
     *
     * @param what names what is awaited in the timeout message, e.g. "Flannel"
     * @throws WaitTimeoutException naming everything still not ready, with the reasons the API reports
     * @throws WaitFailedException when the check reports a failure waiting cannot fix
     */
    Readiness await(String what, Duration timeout, Duration heartbeat, Consumer<String> progress,
                    Supplier<Readiness> check) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String lastSummary = null;
        long lastPrinted = start;
        synchronized (lock) {
            while (true) {
                long seen = changes;
                Readiness readiness = check.get();
                long now = System.nanoTime();
                if (!readiness.summary().equals(lastSummary)) {
                    progress.accept(readiness.summary());
                    lastSummary = readiness.summary();
                    lastPrinted = now;
                } else if (now - lastPrinted >= heartbeat.toNanos()) {
                    progress.accept(readiness.summary() + " (still waiting, "
                            + seconds(deadline - now) + " left)");
                    lastPrinted = now;
                }
                if (readiness.ready()) {
                    return readiness;
                }
                if (readiness.failure() != null) {
                    List<String> details = readiness.notReady().get();
                    throw new WaitFailedException(readiness.failure()
                            + (details.isEmpty() ? "" : ": " + String.join("; ", details)));
                }
                if (now >= deadline) {
                    List<String> details = readiness.notReady().get();
                    throw new WaitTimeoutException(what + " not ready after " + seconds(timeout.toNanos())
                            + (details.isEmpty() ? " (" + readiness.summary() + ")" : ": " + String.join("; ", details)),
                            details);
                }
                long wakeAt = Math.min(deadline, lastPrinted + heartbeat.toNanos());
                if (readiness.recheckIn() != null) {
                    wakeAt = Math.min(wakeAt, now + readiness.recheckIn().toNanos());
                }
                long sleep = wakeAt - now;
                try {
                    while (changes == seen && sleep > 0) {
                        TimeUnit.NANOSECONDS.timedWait(lock, sleep);
                        sleep = wakeAt - System.nanoTime();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ClusterStepException("interrupted while waiting for " + what);
                }
            }
        }
    }

    private static String seconds(long nanos) {
        return Math.max(0, Math.round(nanos / 1e9)) + "s";
    }

    @Override
    public void close() {
        for (SharedIndexInformer<?> informer : informers) {
            informer.close();
        }
        informers.clear();
    }
}
