package io.jenkins.plugins.kubeadm.core.exec;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A cancel signal shared by the runs of one step (a Jenkins abort, for example). */
public final class Cancellation {

    private volatile boolean cancelled;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public void cancel() {
        cancelled = true;
        listeners.forEach(Runnable::run);
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Runs {@code action} on cancel, or now when already cancelled. */
    public void onCancel(Runnable action) {
        listeners.add(action);
        if (cancelled) {
            action.run();
        }
    }

    public void remove(Runnable action) {
        listeners.remove(action);
    }

    /** A cancellation that never fires. */
    public static Cancellation none() {
        return new Cancellation();
    }
}
