package io.jenkins.plugins.kubeadm.core.params;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A requested Kubernetes version: a supported minor ({@link Defaults}), optionally an exact patch release. */
public record KubernetesVersion(String minor, Integer patch) {

    /** Oldest first. */
    public static final List<String> SUPPORTED_MINORS = Defaults.SUPPORTED_MINORS;
    /** The day upstream's patch releases end for each minor; older minors stay supported, with a warning. */
    public static final Map<String, LocalDate> END_OF_LIFE = Defaults.END_OF_LIFE;

    /** A warning when upstream no longer patches this minor on {@code today}; empty otherwise. */
    public Optional<String> endOfLifeWarning(LocalDate today) {
        LocalDate end = END_OF_LIFE.get(minor);
        if (end == null || !today.isAfter(end)) {
            return Optional.empty();
        }
        return Optional.of("Kubernetes " + minor + " reached upstream end of life on " + end
                + ": it gets no more security fixes (newest supported minor: " + defaultVersion().minor() + ")");
    }

    public static KubernetesVersion defaultVersion() {
        return new KubernetesVersion(Defaults.DEFAULT_MINOR, null);
    }

    /** The form the node scripts take in KUBERNETES_VERSION: {@code 1.31} or {@code 1.31.2}. */
    @Override
    public String toString() {
        return patch == null ? minor : minor + "." + patch;
    }
}
