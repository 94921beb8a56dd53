package io.jenkins.plugins.kubeadm.core.cluster;

import java.util.List;

/**
 * What deployWorkload did.
 *
 * @param applied    each object and whether it was created, configured or unchanged
 * @param rolledOut  kubectl names of the workloads whose rollout completed, e.g. {@code deployment.apps/web}
 * @param smokeCheck the smoke check's result line, or null when none was asked for
 */
public record DeployResult(ApplySummary applied, List<String> rolledOut, String smokeCheck) {
}
