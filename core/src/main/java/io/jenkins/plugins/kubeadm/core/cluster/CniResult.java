package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.params.Cidr;

/** What applyCni installed: the CNI, its pinned version, the pod CIDR it was configured with, and the apply summary. */
public record CniResult(Cni cni, String version, Cidr podCidr, ApplySummary applied) {
}
