package io.jenkins.plugins.kubeadm.core.params;

import io.jenkins.plugins.kubeadm.core.params.KubernetesUpgrade.Release;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters of upgradeCluster (resources/kubeadm/scripts/upgrade-node.sh and the drains between its
 * stages), each checked here before any node is touched.
 *
 * @param target                the exact release to move every node to
 * @param aptRepository         the target minor's package repository; null for the script's default (pkgs.k8s.io)
 * @param aptKeyUrl             its signing key; null for the repository's Release.key
 * @param ignorePreflightErrors kubeadm upgrade preflight checks to report as warnings
 * @param maxUnavailable        how many workers are drained and upgraded at once
 * @param drainTimeoutSeconds   how long each node's pods may take to leave it
 * @param planOnly              only check, dry-run the drains and print kubeadm's plan
 */
public record UpgradeClusterParams(Release target, String aptRepository, String aptKeyUrl, List<String> ignorePreflightErrors,
                                   int maxUnavailable, long drainTimeoutSeconds, boolean planOnly) {

    /** The most workers one batch may take down; more is a rebuild, not a rolling upgrade. */
    public static final int MAX_BATCH = 100;

    public UpgradeClusterParams {
        ignorePreflightErrors = List.copyOf(ignorePreflightErrors);
        Validators.integerRange("maxUnavailable", maxUnavailable, 1, MAX_BATCH, "workers drained and upgraded at once");
        Validators.timeoutSeconds("drainTimeoutSeconds", drainTimeoutSeconds);
        KubernetesUpgrade.checkRepository(aptRepository, target);
    }

    /** One worker at a time, lib/defaults.env's drain timeout, pkgs.k8s.io. */
    public static UpgradeClusterParams of(String kubernetesVersion) {
        return new UpgradeClusterParams(KubernetesUpgrade.target(kubernetesVersion), null, null, List.of(), 1,
                Defaults.DRAIN_TIMEOUT_SECONDS, false);
    }

    /** The target minor's repository and key (blank: pkgs.k8s.io's for that minor). */
    public UpgradeClusterParams withRepository(String aptRepository, String aptKeyUrl) {
        return new UpgradeClusterParams(target, blank(aptRepository) ? null : Validators.httpUrl("aptRepository", aptRepository).toString(),
                blank(aptKeyUrl) ? null : Validators.httpUrl("aptKeyUrl", aptKeyUrl).toString(), ignorePreflightErrors, maxUnavailable,
                drainTimeoutSeconds, planOnly);
    }

    public UpgradeClusterParams withIgnorePreflightErrors(String checks) {
        return new UpgradeClusterParams(target, aptRepository, aptKeyUrl, KubeadmInitParams.preflightChecks(checks), maxUnavailable,
                drainTimeoutSeconds, planOnly);
    }

    public UpgradeClusterParams withMaxUnavailable(int workers) {
        return new UpgradeClusterParams(target, aptRepository, aptKeyUrl, ignorePreflightErrors, workers, drainTimeoutSeconds, planOnly);
    }

    public UpgradeClusterParams withDrainTimeoutSeconds(long seconds) {
        return new UpgradeClusterParams(target, aptRepository, aptKeyUrl, ignorePreflightErrors, maxUnavailable, seconds, planOnly);
    }

    public UpgradeClusterParams withPlanOnly(boolean plan) {
        return new UpgradeClusterParams(target, aptRepository, aptKeyUrl, ignorePreflightErrors, maxUnavailable, drainTimeoutSeconds, plan);
    }

    /** upgrade-node.sh's environment for one stage (plan, apply, node or kubelet). */
    public Map<String, String> environment(String stage) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KUBERNETES_VERSION", target.toString());
        env.put("UPGRADE_STAGE", stage);
        if (aptRepository != null) {
            env.put("KUBERNETES_APT_REPO", aptRepository);
        }
        if (aptKeyUrl != null) {
            env.put("KUBERNETES_APT_KEY_URL", aptKeyUrl);
        }
        if (!ignorePreflightErrors.isEmpty()) {
            env.put("IGNORE_PREFLIGHT_ERRORS", String.join(",", ignorePreflightErrors));
        }
        return env;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
