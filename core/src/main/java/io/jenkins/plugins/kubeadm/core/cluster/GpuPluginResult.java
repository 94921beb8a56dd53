package io.jenkins.plugins.kubeadm.core.cluster;

import java.util.Map;

/**
 * What installGpuPlugin did.
 *
 * @param version       the device plugin release applied
 * @param gpusPerNode   allocatable nvidia.com/gpu of each GPU node once the wait ended
 * @param applied       the apply summary
 * @param smokeOutput   the smoke pod's nvidia-smi output, or null when no smoke pod ran
 */
public record GpuPluginResult(String version, Map<String, String> gpusPerNode, ApplySummary applied, String smokeOutput) {
}
