package io.jenkins.plugins.kubeadm.core.params;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A requested Kubernetes version: a supported minor, optionally an exact patch release.
 * The supported minors and their sandbox (pause) images are also listed in
 * resources/kubeadm/scripts/lib/common.sh (pause images in install-runtime.sh); KubernetesVersionTest
 * keeps them in step.
 */
public record KubernetesVersion(String minor, Integer patch) {

    /** Oldest first; the last one (the newest upstream has released) is the default. */
    public static final List<String> SUPPORTED_MINORS = List.of("1.26", "1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33",
            "1.34", "1.35", "1.36", "1.37");

    /**
     * The day upstream's patch releases end for each minor (kubernetes.io/releases); older minors
     * stay supported here because labs still run them, with a warning. Also in lib/common.sh.
     */
    public static final Map<String, LocalDate> END_OF_LIFE = Map.ofEntries(
            Map.entry("1.26", LocalDate.of(2024, 2, 28)), Map.entry("1.27", LocalDate.of(2024, 6, 28)),
            Map.entry("1.28", LocalDate.of(2024, 10, 28)), Map.entry("1.29", LocalDate.of(2025, 2, 28)),
            Map.entry("1.30", LocalDate.of(2025, 6, 28)), Map.entry("1.31", LocalDate.of(2025, 10, 28)),
            Map.entry("1.32", LocalDate.of(2026, 2, 28)), Map.entry("1.33", LocalDate.of(2026, 6, 28)),
            Map.entry("1.34", LocalDate.of(2026, 10, 27)), Map.entry("1.35", LocalDate.of(2027, 2, 28)),
            Map.entry("1.36", LocalDate.of(2027, 6, 28)), Map.entry("1.37", LocalDate.of(2027, 10, 28)));

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
        return new KubernetesVersion(SUPPORTED_MINORS.get(SUPPORTED_MINORS.size() - 1), null);
    }

    /** The form the node scripts take in KUBERNETES_VERSION: {@code 1.31} or {@code 1.31.2}. */
    @Override
    public String toString() {
        return patch == null ? minor : minor + "." + patch;
    }
}
