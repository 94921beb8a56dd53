package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.params.KubernetesUpgrade.Release;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What upgradeCluster learns from the API server before it changes anything, and again when it runs
 * a second time: each Node's kubelet release, its API server's release when it is a control plane
 * (from the kube-apiserver static pod's image), and whether an earlier upgradeCluster cordoned it and
 * has not finished with it. It travels from an agent to the
 * controller as {@link #encode() one line of text} and is read back strictly.
 */
public record UpgradeSurvey(List<NodeState> nodes) {

    /** The annotation upgradeCluster puts on a Node it cordons, with the release it moves it to; removed when it uncordons it. */
    public static final String UPGRADING_ANNOTATION = "kubeadm-pipeline.jenkins.io/upgrading-to";

    /**
     * @param apiServer   the release of the API server on this node; null when it runs none
     * @param upgradingTo the release an unfinished upgradeCluster cordoned it for; null when none did
     */
    public record NodeState(String name, Release kubelet, Release apiServer, Release upgradingTo) {

        public NodeState {
            if (!Validators.isObjectName(name) || kubelet == null) {
                throw new IllegalArgumentException("not a Node's name and kubelet release");
            }
        }

        /** Whether this node runs {@code target} everywhere and no earlier upgrade left it cordoned. */
        public boolean runs(Release target) {
            return kubelet.equals(target) && (apiServer == null || apiServer.equals(target)) && upgradingTo == null;
        }
    }

    public UpgradeSurvey {
        nodes = List.copyOf(nodes);
    }

    /** The Node of this name; null when the cluster has none. */
    public NodeState node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
    }

    /** Each control plane's API server release, by Node name. */
    public Map<String, Release> apiServers() {
        Map<String, Release> map = new LinkedHashMap<>();
        nodes.stream().filter(n -> n.apiServer() != null).forEach(n -> map.put(n.name(), n.apiServer()));
        return map;
    }

    /** Each Node's kubelet release, by Node name. */
    public Map<String, Release> kubelets() {
        Map<String, Release> map = new LinkedHashMap<>();
        nodes.forEach(n -> map.put(n.name(), n.kubelet()));
        return map;
    }

    /** One line: per Node {@code NAME KUBELET APISERVER|- UPGRADING-TO|-}, each ended by ';'. */
    public String encode() {
        StringBuilder text = new StringBuilder();
        for (NodeState n : nodes) {
            text.append(n.name()).append(' ').append(n.kubelet()).append(' ').append(n.apiServer() == null ? "-" : n.apiServer())
                    .append(' ').append(n.upgradingTo() == null ? "-" : n.upgradingTo()).append(';');
        }
        return text.toString();
    }

    /** Reads {@link #encode()}'s text back, refusing anything else. */
    public static UpgradeSurvey decode(String text) {
        List<NodeState> nodes = new java.util.ArrayList<>();
        for (String line : text.split(";")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(" ", -1);
            if (f.length != 4) {
                throw new IllegalArgumentException("not a line of an upgrade survey");
            }
            nodes.add(new NodeState(f[0], release(f[1]), f[2].equals("-") ? null : release(f[2]), f[3].equals("-") ? null : release(f[3])));
        }
        return new UpgradeSurvey(nodes);
    }

    private static Release release(String text) {
        Release release = Release.reported(text);
        if (release == null || !release.toString().equals(text)) {
            throw new IllegalArgumentException("not a release in an upgrade survey");
        }
        return release;
    }
}
