package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.kubeadm.core.params.KubernetesUpgrade.Release;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * upgradeCluster's work on the API server, between the stages of upgrade-node.sh on each node: the
 * survey of what runs where, the drains (their dry run first), and each node uncordoned once it is
 * Ready at the new release. A node cordoned by someone else before the upgrade is drained and upgraded
 * but stays cordoned.
 */
final class NodeUpgrades implements UpgradeApi {

    static final String STEP = "upgradeCluster";
    private static final Pattern IMAGE_TAG = Pattern.compile(":(v[0-9][^:/@]*)(@.*)?$");
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofSeconds(2);

    private final KubernetesClient client;
    private final Consumer<String> progress;
    private final Drainer drainer;
    private final Duration drainTimeout;
    private final Duration readyTimeout;

    NodeUpgrades(KubernetesClient client, Consumer<String> progress, Duration drainTimeout, Duration readyTimeout) {
        this.client = Objects.requireNonNull(client, "client");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.drainer = new Drainer(client, progress, STEP);
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
        this.readyTimeout = Objects.requireNonNull(readyTimeout, "readyTimeout");
    }

    @Override
    public UpgradeSurvey survey() {
        Map<String, Release> apiServers = new HashMap<>();
        for (Pod pod : client.pods().inNamespace("kube-system").withLabel("component", "kube-apiserver").list().getItems()) {
            if (pod.getSpec() == null || pod.getSpec().getNodeName() == null || pod.getSpec().getContainers().isEmpty()) {
                continue;
            }
            Matcher tag = IMAGE_TAG.matcher(String.valueOf(pod.getSpec().getContainers().get(0).getImage()));
            Release release = tag.find() ? Release.reported(tag.group(1)) : null;
            if (release == null) {
                throw new ClusterStepException(STEP + ": the API server on " + pod.getSpec().getNodeName() + " runs the image "
                        + pod.getSpec().getContainers().get(0).getImage() + ", whose tag is no Kubernetes release");
            }
            apiServers.put(pod.getSpec().getNodeName(), release);
        }
        List<UpgradeSurvey.NodeState> states = new ArrayList<>();
        for (Node node : client.nodes().list().getItems()) {
            String name = node.getMetadata().getName();
            String reported = node.getStatus() == null || node.getStatus().getNodeInfo() == null ? null
                    : node.getStatus().getNodeInfo().getKubeletVersion();
            Release kubelet = Release.reported(reported);
            if (kubelet == null) {
                throw new ClusterStepException(STEP + ": the Node " + name + " reports the kubelet version '" + reported
                        + "', which is no Kubernetes release");
            }
            states.add(new UpgradeSurvey.NodeState(name, kubelet, apiServers.get(name), upgradingTo(node)));
        }
        return new UpgradeSurvey(states);
    }

    @Override
    public List<String> drainBlockers(List<String> nodes) {
        List<String> blockers = new ArrayList<>();
        for (String node : nodes) {
            blockers.addAll(drainer.blockers(node));
        }
        return blockers;
    }

    @Override
    public void drain(String name, Release target) {
        Node node = client.nodes().withName(name).get();
        if (node == null) {
            throw new ClusterStepException(STEP + ": " + name + " is not a Node of the cluster");
        }
        boolean cordonedBefore = Boolean.TRUE.equals(node.getSpec() == null ? null : node.getSpec().getUnschedulable())
                && upgradingTo(node) == null;
        if (cordonedBefore) {
            progress.accept(STEP + ": " + name + " was cordoned before this upgrade; it stays cordoned afterwards");
        } else {
            client.nodes().withName(name).edit(n -> new NodeBuilder(n).editMetadata().addToAnnotations(UpgradeSurvey.UPGRADING_ANNOTATION,
                    target.toString()).endMetadata().build());
        }
        drainer.drain(name, drainTimeout, Duration.ofSeconds(5));
    }

    @Override
    public void uncordonWhenReady(String name, Release target) {
        Instant deadline = Instant.now().plus(readyTimeout);
        Instant nextReport = Instant.now().plus(HEARTBEAT);
        while (true) {
            Node node = client.nodes().withName(name).get();
            if (node == null) {
                throw new ClusterStepException(STEP + ": " + name + " is no longer a Node of the cluster");
            }
            Release kubelet = Release.reported(node.getStatus() == null || node.getStatus().getNodeInfo() == null ? null
                    : node.getStatus().getNodeInfo().getKubeletVersion());
            boolean ready = ready(node);
            if (ready && target.equals(kubelet)) {
                break;
            }
            String state = name + ": kubelet " + kubelet + (ready ? ", Ready" : ", not Ready");
            if (Instant.now().isAfter(deadline)) {
                throw new WaitTimeoutException(STEP + ": " + name + " did not turn Ready at kubelet " + target + " within "
                        + readyTimeout.toSeconds() + " s (" + state + "); it stays cordoned (upgradeCluster again goes on)", List.of(state));
            }
            if (Instant.now().isAfter(nextReport)) {
                progress.accept(STEP + ": waiting for " + state);
                nextReport = Instant.now().plus(HEARTBEAT);
            }
            sleep();
        }
        if (upgradingTo(client.nodes().withName(name).get()) == null) {
            progress.accept(STEP + ": " + name + " is Ready at " + target + " (left cordoned, as it was before)");
            return;
        }
        client.nodes().withName(name).edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(false).endSpec().editMetadata()
                .removeFromAnnotations(UpgradeSurvey.UPGRADING_ANNOTATION).endMetadata().build());
        progress.accept(STEP + ": " + name + " is Ready at " + target + " and uncordoned");
    }

    private static boolean ready(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return false;
        }
        for (NodeCondition c : node.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    private static Release upgradingTo(Node node) {
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        return annotations == null ? null : Release.reported(annotations.get(UpgradeSurvey.UPGRADING_ANNOTATION));
    }

    private void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterStepException(STEP + ": interrupted while waiting for a node");
        }
    }
}
