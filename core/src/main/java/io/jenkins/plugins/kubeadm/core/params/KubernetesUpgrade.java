package io.jenkins.plugins.kubeadm.core.params;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * upgradeCluster's version rules, checked before any node changes, as kubeadm's upgrade guide and
 * Kubernetes' version skew policy state them: {@code kubeadm upgrade apply} takes one exact release; a
 * cluster never goes down a release, nor skips a minor (one minor per hop, from the oldest control
 * plane); a kubelet is never newer than the API server, and at most three minors older (a kubelet
 * older than 1.25 only two); each minor has a package repository of its own.
 */
public final class KubernetesUpgrade {

    /** The first kubelet minor an API server accepts three minors older than itself (older kubelets: two). */
    static final int FIRST_KUBELET_MINOR_WITH_THREE_MINOR_SKEW = 25;

    private static final Pattern RELEASE = Pattern.compile("v?(1)\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,3})");
    /** A version as the API reports it: v1.26.1, or with a build suffix (v1.26.1+k3s1, v1.27.0-rc.1). */
    private static final Pattern REPORTED = Pattern.compile("v?(1)\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,3})([-+][0-9A-Za-z.+-]*)?");
    /** The minor a package repository's URL is for, as pkgs.k8s.io spells it: .../stable:/v1.26/deb/. */
    private static final Pattern REPOSITORY_MINOR = Pattern.compile("/v(1\\.[0-9]+)(/|$)");

    private KubernetesUpgrade() {
    }

    /** One Kubernetes release, compared by its numbers. */
    public record Release(int major, int minor, int patch) implements Comparable<Release> {

        private static final Comparator<Release> ORDER = Comparator.comparingInt(Release::major).thenComparingInt(Release::minor)
                .thenComparingInt(Release::patch);

        /** A version as a Node, a static pod's image tag or the API server reports it; null when it is not one. */
        public static Release reported(String version) {
            Matcher m = version == null ? null : REPORTED.matcher(version.trim());
            return m == null || !m.matches() ? null
                    : new Release(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        }

        /** {@code 1.26}: as {@link KubernetesVersion} and the package repositories name a minor. */
        public String minorName() {
            return major + "." + minor;
        }

        @Override
        public int compareTo(Release other) {
            return ORDER.compare(this, other);
        }

        /** {@code 1.26.2}: the form the node scripts take in KUBERNETES_VERSION. */
        @Override
        public String toString() {
            return major + "." + minor + "." + patch;
        }
    }

    /**
     * The release to upgrade to.
     *
     * @throws ParameterException for {@code kubernetesVersion}: not an exact release, or of an unsupported minor
     */
    public static Release target(String kubernetesVersion) {
        String form = "an exact release such as 1.27.3 (kubeadm upgrade apply takes one) of a supported minor: "
                + String.join(", ", KubernetesVersion.SUPPORTED_MINORS);
        String value = Validators.required("kubernetesVersion", kubernetesVersion, form);
        Matcher m = RELEASE.matcher(value);
        if (!m.matches()) {
            throw new ParameterException("kubernetesVersion", "'" + kubernetesVersion + "' is not an exact release", form);
        }
        Release release = new Release(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        if (!KubernetesVersion.SUPPORTED_MINORS.contains(release.minorName())) {
            throw new ParameterException("kubernetesVersion", "minor " + release.minorName() + " is not supported", form);
        }
        return release;
    }

    /** How many minors older than the API server this kubelet may be. */
    public static int kubeletSkew(Release kubelet) {
        return kubelet.minor() >= FIRST_KUBELET_MINOR_WITH_THREE_MINOR_SKEW ? 3 : 2;
    }

    /**
     * Refuses, naming the versions, an upgrade to {@code target} that kubeadm and the skew policy do not
     * allow from what the cluster runs now.
     *
     * @param apiServers each control plane's API server release, by Kubernetes node name
     * @param kubelets   each node's kubelet release, by Kubernetes node name
     * @throws ParameterException for {@code kubernetesVersion}
     */
    public static void check(Release target, Map<String, Release> apiServers, Map<String, Release> kubelets) {
        if (apiServers.isEmpty()) {
            throw new IllegalArgumentException("no control plane's API server version is known");
        }
        Map.Entry<String, Release> oldest = apiServers.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow();
        Map.Entry<String, Release> newest = apiServers.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        Release from = oldest.getValue();
        String allowed = "a release from " + newest.getValue() + " up to the newest " + from.major() + "." + (from.minor() + 1)
                + " release, one minor per upgrade";
        if (target.major() != from.major()) {
            throw new ParameterException("kubernetesVersion", target + " is another major version than the API server on "
                    + oldest.getKey() + " (" + from + ")", allowed);
        }
        if (target.compareTo(newest.getValue()) < 0) {
            throw new ParameterException("kubernetesVersion", target + " is older than the API server on " + newest.getKey() + " ("
                    + newest.getValue() + "): upgradeCluster never goes down a release", allowed);
        }
        if (target.minor() > from.minor() + 1) {
            throw new ParameterException("kubernetesVersion", target + " skips a minor: the API server on " + oldest.getKey() + " runs "
                    + from + ", and kubeadm upgrades one minor at a time (first to a " + from.major() + "." + (from.minor() + 1)
                    + " release)", allowed);
        }
        List<String> tooNew = new ArrayList<>();
        List<String> tooOld = new ArrayList<>();
        kubelets.forEach((node, kubelet) -> {
            if (kubelet.compareTo(target) > 0) {
                tooNew.add(node + " (kubelet " + kubelet + ")");
            } else if (target.major() != kubelet.major() || target.minor() - kubelet.minor() > kubeletSkew(kubelet)) {
                tooOld.add(node + " (kubelet " + kubelet + ")");
            }
        });
        if (!tooNew.isEmpty()) {
            throw new ParameterException("kubernetesVersion", target + " is older than the kubelet on " + String.join(", ", tooNew)
                    + ": a kubelet is never newer than its API server", allowed + ", and not older than any kubelet");
        }
        if (!tooOld.isEmpty()) {
            throw new ParameterException("kubernetesVersion", "an API server at " + target + " accepts kubelets at most three minors"
                    + " older (older than 1.25: two), and " + String.join(", ", tooOld) + (tooOld.size() == 1 ? " is" : " are")
                    + " older still: upgrade " + (tooOld.size() == 1 ? "it" : "them") + " first", allowed
                    + ", while every kubelet stays within the skew policy's minors of it");
        }
    }

    /**
     * Refuses a package repository that names another minor than the target's: each Kubernetes minor
     * has a repository of its own (pkgs.k8s.io/core:/stable:/v1.27/deb/), so a minor upgrade needs the
     * new minor's.
     *
     * @param aptRepository the repository given for the upgrade; null or blank for the target minor's default
     * @throws ParameterException for {@code aptRepository}
     */
    public static void checkRepository(String aptRepository, Release target) {
        if (aptRepository == null || aptRepository.isBlank()) {
            return;
        }
        Matcher m = REPOSITORY_MINOR.matcher(aptRepository);
        while (m.find()) {
            if (!m.group(1).equals(target.minorName())) {
                throw new ParameterException("aptRepository", "is the repository of Kubernetes " + m.group(1) + ", and " + target
                        + " is of " + target.minorName(), "the repository of the target's minor, e.g. https://pkgs.k8s.io/core:/stable:/v"
                        + target.minorName() + "/deb/ (leave it empty for that default)");
            }
        }
    }
}
