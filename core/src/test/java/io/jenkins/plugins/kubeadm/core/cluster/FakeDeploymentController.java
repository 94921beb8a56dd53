package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plays the deployment controller for one Deployment: each new pod template gets a ReplicaSet with
 * the next revision, then status moves step by step. An image tagged {@code broken} ends in
 * ProgressDeadlineExceeded; one tagged {@code stuck} never gets a pod ready; one tagged
 * {@code missing} has a new pod whose pull fails (ErrImagePull) while the old pods keep serving, with
 * no progress deadline; one tagged {@code slow} fails its first pull, then pulls and rolls out.
 */
final class FakeDeploymentController {

    private static final String TEMPLATE_KEY = "test.kubeadm-pipeline/template";

    private FakeDeploymentController() {
    }

    static void play(FakeCluster cluster, String namespace, String name) {
        cluster.control(() -> {
            String handled = null;
            while (!Thread.currentThread().isInterrupted()) {
                Deployment d = cluster.admin.apps().deployments().inNamespace(namespace).withName(name).get();
                if (d == null) {
                    Thread.sleep(20);
                    continue;
                }
                String key = Integer.toHexString(Serialization.asJson(d.getSpec().getTemplate()).hashCode());
                if (key.equals(handled)) {
                    Thread.sleep(20);
                    continue;
                }
                handled = key;
                long revision = replicaSetFor(cluster, d, key);
                d.getMetadata().setAnnotations(Map.of(DeploymentRollback.REVISION_ANNOTATION, String.valueOf(revision)));
                d = cluster.admin.apps().deployments().inNamespace(namespace).resource(d).update();
                int desired = d.getSpec().getReplicas();
                String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
                long generation = d.getMetadata().getGeneration();
                if (image.endsWith(":broken")) {
                    podWaiting(cluster, namespace, name + "-" + revision + "-x1", d, "ErrImagePull",
                            "rpc error: code = NotFound desc = failed to pull and unpack image \"" + image + "\": not found");
                    int mark = cluster.lines.size();
                    status(cluster, d, generation, desired + 1, 1, desired, false);
                    cluster.awaitLine(mark, "1/" + desired + " updated");
                    status(cluster, d, generation, desired + 1, 1, desired, true);
                } else if (image.endsWith(":missing")) {
                    podWaiting(cluster, namespace, name + "-" + revision + "-x1", d, "ErrImagePull", "rpc error: code = "
                            + "NotFound desc = failed to pull and unpack image \"docker.io/library/" + image + "\": not found");
                    status(cluster, d, generation, desired + 1, 1, desired, false);
                } else if (image.endsWith(":slow")) {
                    String pod = name + "-" + revision + "-x1";
                    podWaiting(cluster, namespace, pod, d, "ErrImagePull", "rpc error: code = DeadlineExceeded desc = "
                            + "failed to pull image \"" + image + "\": i/o timeout");
                    int mark = cluster.lines.size();
                    status(cluster, d, generation, desired, desired, 0, false);
                    cluster.awaitLine(mark, desired + "/" + desired + " updated, 0/" + desired + " available");
                    // Time for the step's pod watch to see the failed pull before it heals (well within the grace period).
                    Thread.sleep(300);
                    podRunning(cluster, namespace, pod);
                    status(cluster, d, generation, desired, desired, desired, false);
                } else if (image.endsWith(":stuck")) {
                    podWaiting(cluster, namespace, name + "-" + revision + "-x1", d, "ImagePullBackOff",
                            "Back-off pulling image \"" + image + "\"");
                    status(cluster, d, generation, desired, desired, 0, false);
                } else {
                    // Each state is held until the step has printed it (in this wait, not an earlier one's line).
                    int mark = cluster.lines.size();
                    status(cluster, d, generation, desired, desired, 0, false);
                    cluster.awaitLine(mark, desired + "/" + desired + " updated, 0/" + desired + " available");
                    mark = cluster.lines.size();
                    status(cluster, d, generation, desired, desired, 1, false);
                    cluster.awaitLine(mark, desired + "/" + desired + " updated, 1/" + desired + " available");
                    status(cluster, d, generation, desired, desired, desired, false);
                }
            }
        });
    }

    /** The ReplicaSet for this template, created with the next revision if new; returns its revision. */
    private static long replicaSetFor(FakeCluster cluster, Deployment d, String key) {
        String ns = d.getMetadata().getNamespace();
        List<ReplicaSet> owned = cluster.admin.apps().replicaSets().inNamespace(ns).list().getItems();
        long max = 0;
        for (ReplicaSet rs : owned) {
            long revision = Long.parseLong(rs.getMetadata().getAnnotations().get(DeploymentRollback.REVISION_ANNOTATION));
            if (key.equals(rs.getMetadata().getAnnotations().get(TEMPLATE_KEY))) {
                return revision;
            }
            max = Math.max(max, revision);
        }
        long revision = max + 1;
        PodTemplateSpec template = Serialization.clone(d.getSpec().getTemplate());
        Map<String, String> labels = new HashMap<>(template.getMetadata().getLabels());
        labels.put("pod-template-hash", key);
        template.getMetadata().setLabels(labels);
        cluster.admin.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata()
                .withName(d.getMetadata().getName() + "-" + key).withNamespace(ns).withLabels(labels)
                .addToAnnotations(DeploymentRollback.REVISION_ANNOTATION, String.valueOf(revision))
                .addToAnnotations(TEMPLATE_KEY, key)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                        .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid()).withController(true).build())
                .endMetadata().withNewSpec().withReplicas(d.getSpec().getReplicas())
                .withNewSelector().withMatchLabels(labels).endSelector().withTemplate(template).endSpec().build()).create();
        return revision;
    }

    private static void status(FakeCluster cluster, Deployment d, long generation, int total, int updated, int available,
                               boolean deadlineExceeded) {
        DeploymentStatusBuilder status = new DeploymentStatusBuilder().withObservedGeneration(generation)
                .withReplicas(total).withUpdatedReplicas(updated).withAvailableReplicas(available).withReadyReplicas(available);
        if (deadlineExceeded) {
            status.addToConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
                    .withReason("ProgressDeadlineExceeded")
                    .withMessage("ReplicaSet \"" + d.getMetadata().getName() + "\" has timed out progressing.").build());
        }
        Deployment current = cluster.admin.apps().deployments().inNamespace(d.getMetadata().getNamespace())
                .withName(d.getMetadata().getName()).get();
        current.setStatus(status.build());
        cluster.admin.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(current).updateStatus();
    }

    /** Sets the pod's container waiting for its image; a new pod is made from the Deployment's template, as the ReplicaSet controller does. */
    private static void podWaiting(FakeCluster cluster, String namespace, String podName, Deployment d, String reason,
                                   String message) {
        Pod pod = cluster.admin.pods().inNamespace(namespace).withName(podName).get();
        if (pod == null) {
            PodSpec spec = Serialization.clone(d.getSpec().getTemplate().getSpec());
            spec.setNodeName("w1");
            pod = cluster.admin.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(podName)
                    .withNamespace(namespace).withLabels(d.getSpec().getSelector().getMatchLabels()).endMetadata()
                    .withSpec(spec).build()).create();
        }
        var container = pod.getSpec().getContainers().get(0);
        pod.setStatus(new PodStatusBuilder().withPhase("Pending").addToContainerStatuses(new ContainerStatusBuilder()
                .withName(container.getName()).withImage(container.getImage()).withReady(false)
                .withRestartCount(0).withNewState().withNewWaiting().withReason(reason).withMessage(message)
                .endWaiting().endState().build()).build());
        cluster.admin.pods().inNamespace(namespace).resource(pod).updateStatus();
    }

    private static void podRunning(FakeCluster cluster, String namespace, String podName) {
        Pod pod = cluster.admin.pods().inNamespace(namespace).withName(podName).get();
        var container = pod.getSpec().getContainers().get(0);
        pod.setStatus(new PodStatusBuilder().withPhase("Running").addNewCondition().withType("Ready").withStatus("True")
                .endCondition().addToContainerStatuses(new ContainerStatusBuilder().withName(container.getName())
                        .withImage(container.getImage()).withReady(true).withRestartCount(0).withNewState().withNewRunning()
                        .endRunning().endState().build()).build());
        cluster.admin.pods().inNamespace(namespace).resource(pod).updateStatus();
    }
}
