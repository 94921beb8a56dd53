package io.jenkins.plugins.kubeadm.core.params;

import java.util.List;

/**
 * A requested Kubernetes version: a supported minor, optionally an exact patch release.
 * The supported minors and their sandbox (pause) images are also listed in
 * resources/kubeadm/scripts/lib/common.sh (pause images in install-runtime.sh); KubernetesVersionTest
 * keeps them in step.
 */
public record KubernetesVersion(String minor, Integer patch) {

    /** Oldest first; the last one is the default. */
    public static final List<String> SUPPORTED_MINORS = List.of("1.31", "1.32", "1.33", "1.34", "1.35");

    public static KubernetesVersion defaultVersion() {
        return new KubernetesVersion(SUPPORTED_MINORS.get(SUPPORTED_MINORS.size() - 1), null);
    }

    /** The form the node scripts take in KUBERNETES_VERSION: {@code 1.31} or {@code 1.31.2}. */
    @Override
    public String toString() {
        return patch == null ? minor : minor + "." + patch;
    }
}
