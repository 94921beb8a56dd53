package io.jenkins.plugins.kubeadm.core.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.kubeadm.core.params.Cidr;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The pod CIDR the cluster was built with: kubeadm records it in the kubeadm-config ConfigMap
 * (ClusterConfiguration networking.podSubnet); the controller manager carves each node's
 * spec.podCIDR out of it. The CNI must be configured with the same range.
 */
final class PodCidrs {

    static final String SOURCE = "kubeadm-config ConfigMap (kube-system), ClusterConfiguration networking.podSubnet";

    private PodCidrs() {
    }

    /**
     * @param configured the range from kubeadm-config, or null when the cluster does not record one
     * @param nodeCidrs  each node's spec.podCIDR, for nodes that have one
     */
    record Found(Cidr configured, Map<String, Cidr> nodeCidrs) {
    }

    static Found read(KubernetesClient client) {
        Cidr configured = null;
        ConfigMap kubeadmConfig;
        try {
            kubeadmConfig = client.configMaps().inNamespace("kube-system").withName("kubeadm-config").get();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "get", "configmaps", "kube-system", "kubeadm-config");
        }
        if (kubeadmConfig != null && kubeadmConfig.getData() != null && kubeadmConfig.getData().get("ClusterConfiguration") != null) {
            String podSubnet = podSubnet(kubeadmConfig.getData().get("ClusterConfiguration"));
            if (podSubnet != null) {
                // Dual-stack clusters list "v4,v6"; the CNIs here take the IPv4 range.
                String ipv4 = List.of(podSubnet.split(",")).stream().map(String::trim)
                        .filter(s -> s.contains(".")).findFirst().orElse(null);
                if (ipv4 != null) {
                    try {
                        configured = Validators.cidr("networking.podSubnet", ipv4);
                    } catch (ParameterException e) {
                        throw new ClusterStepException("the cluster's " + SOURCE + " is not a usable IPv4 CIDR: " + e.getMessage());
                    }
                }
            }
        }
        Map<String, Cidr> nodeCidrs = new LinkedHashMap<>();
        List<Node> nodes;
        try {
            nodes = client.nodes().list().getItems();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "list", "nodes", null, null);
        }
        for (Node node : nodes) {
            String cidr = node.getSpec() == null ? null : node.getSpec().getPodCIDR();
            if (cidr != null && cidr.contains(".")) {
                try {
                    nodeCidrs.put(node.getMetadata().getName(), Validators.cidr("spec.podCIDR", cidr));
                } catch (ParameterException e) {
                    // A node range this parser cannot read does not decide anything; skip it.
                }
            }
        }
        return new Found(configured, nodeCidrs);
    }

    /**
     * The CIDR to configure the CNI with.
     *
     * @param requested the user's podCidr, or null
     * @param needsNodeCidrs the CNI relies on node podCIDRs (Flannel's kube subnet manager)
     */
    static Cidr resolve(Found found, Cidr requested, String cniName, boolean needsNodeCidrs) {
        if (found.configured() != null) {
            if (requested != null && !requested.equals(found.configured())) {
                throw new ClusterStepException("podCidr " + requested + " differs from the cluster's pod CIDR "
                        + found.configured() + " (" + SOURCE + "); the CNI must use the range kubeadm init was given: "
                        + "omit podCidr or set it to " + found.configured());
            }
            return found.configured();
        }
        if (needsNodeCidrs && found.nodeCidrs().isEmpty()) {
            throw new ClusterStepException(cniName + " needs the cluster to assign pod CIDRs to nodes, but no node has "
                    + "spec.podCIDR and " + SOURCE + " is not set: run kubeadm init with --pod-network-cidr "
                    + "(e.g. 10.244.0.0/16) or networking.podSubnet in its config");
        }
        if (requested == null) {
            throw new ClusterStepException("cannot tell the cluster's pod CIDR: " + SOURCE + " is not set"
                    + (found.nodeCidrs().isEmpty() ? "" : " (nodes have " + describe(found.nodeCidrs()) + ")")
                    + "; pass podCidr");
        }
        for (var node : found.nodeCidrs().entrySet()) {
            Cidr nodeCidr = node.getValue();
            if (!(requested.network() <= nodeCidr.network() && nodeCidr.lastAddress() <= requested.lastAddress())) {
                throw new ClusterStepException("podCidr " + requested + " differs from the cluster's pod CIDR: node "
                        + node.getKey() + " has spec.podCIDR " + nodeCidr + ", outside " + requested);
            }
        }
        return requested;
    }

    private static String describe(Map<String, Cidr> nodeCidrs) {
        return nodeCidrs.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String podSubnet(String clusterConfiguration) {
        try {
            JsonNode node = new YAMLMapper().readTree(clusterConfiguration);
            JsonNode subnet = node == null ? null : node.path("networking").path("podSubnet");
            return subnet != null && subnet.isTextual() && !subnet.asText().isBlank() ? subnet.asText() : null;
        } catch (IOException e) {
            throw new ClusterStepException("the cluster's kubeadm-config ConfigMap has a ClusterConfiguration that is not YAML");
        }
    }
}
