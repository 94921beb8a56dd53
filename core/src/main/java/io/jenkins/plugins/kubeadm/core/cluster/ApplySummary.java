package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/** What a server-side apply did to each object, in the order applied. */
public record ApplySummary(List<Applied> objects) {

    public enum Outcome { CREATED, CONFIGURED, UNCHANGED }

    /** One applied object: kubectl's name for it ({@code deployment.apps/web}), its namespace, what happened, and the object as the server returned it. */
    public record Applied(String name, String namespace, Outcome outcome, HasMetadata result) {

        /** Without the object itself: a Secret's data must not reach a log through a summary. */
        @Override
        public String toString() {
            return name + (namespace == null ? "" : " (" + namespace + ")") + " " + outcome.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ApplySummary {
        objects = List.copyOf(objects);
    }

    public long count(Outcome outcome) {
        return objects.stream().filter(o -> o.outcome() == outcome).count();
    }

    /** {@code 3 created, 1 configured, 2 unchanged}. */
    public String line() {
        return count(Outcome.CREATED) + " created, " + count(Outcome.CONFIGURED) + " configured, "
                + count(Outcome.UNCHANGED) + " unchanged";
    }
}
