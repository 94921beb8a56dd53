package io.jenkins.plugins.kubeadm.core.cluster;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * One evaluation of a wait condition.
 *
 * @param ready    the condition holds
 * @param summary  one progress line, e.g. {@code kube-flannel-ds: 2/3 pods available; nodes Ready: 1/3; CoreDNS: 0/2}
 * @param failure  non-null when waiting longer cannot help (e.g. a rollout exceeded its progress deadline)
 * @param notReady computes, only when the wait gives up, one line per thing not ready and why
 * @param recheckIn when to evaluate again even if nothing changes (a grace period ends), or null
 */
record Readiness(boolean ready, String summary, String failure, Supplier<List<String>> notReady, Duration recheckIn) {

    static Readiness ready(String summary) {
        return new Readiness(true, summary, null, List::of, null);
    }

    static Readiness waiting(String summary, Supplier<List<String>> notReady) {
        return new Readiness(false, summary, null, notReady, null);
    }

    static Readiness waiting(String summary, Supplier<List<String>> notReady, Duration recheckIn) {
        return new Readiness(false, summary, null, notReady, recheckIn);
    }

    static Readiness failed(String summary, String failure, Supplier<List<String>> notReady) {
        return new Readiness(false, summary, failure, notReady, null);
    }
}
