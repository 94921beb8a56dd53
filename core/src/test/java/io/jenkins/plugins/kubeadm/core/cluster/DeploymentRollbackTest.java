package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeploymentRollbackTest {

    private final FakeCluster cluster = new FakeCluster();
    private final DeploymentRollback rollback = new DeploymentRollback(cluster.admin, cluster.progress());
    private final RolloutWatcher watcher = new RolloutWatcher(cluster.admin, cluster.progress(), Duration.ofSeconds(1),
            Duration.ofSeconds(15), new WorkloadOptions().imagePullGrace);

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    private static Deployment web(String image, long revision) {
        return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("shop")
                .addToAnnotations(DeploymentRollback.REVISION_ANNOTATION, String.valueOf(revision)).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer()
                .withName("nginx").withImage(image).endContainer().endSpec().endTemplate().endSpec().build();
    }

    /** A ReplicaSet of revision {@code revision} running {@code image}, owned by {@code owner} when given. */
    private void replicaSet(String name, long revision, String image, Deployment owner) {
        Map<String, String> labels = Map.of("app", "web", "pod-template-hash", name);
        ReplicaSetBuilder rs = new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace("shop").withLabels(labels)
                .addToAnnotations(DeploymentRollback.REVISION_ANNOTATION, String.valueOf(revision)).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().withMatchLabels(labels).endSelector().withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata().withNewSpec().addNewContainer().withName("nginx")
                .withImage(image).endContainer().endSpec().endTemplate().endSpec();
        if (owner != null) {
            rs.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment")
                    .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).withController(true)
                    .endOwnerReference().endMetadata();
        }
        cluster.admin.apps().replicaSets().inNamespace("shop").resource(rs.build()).create();
    }

    private Deployment live() {
        return cluster.admin.apps().deployments().inNamespace("shop").withName("web").get();
    }

    @Test
    void theHighestOwnedRevisionBelowTheCurrentOneComesBack() {
        Deployment applied = cluster.admin.apps().deployments().inNamespace("shop").resource(web("nginx:broken", 3)).create();
        replicaSet("web-one", 1, "nginx:1.26", applied);
        replicaSet("web-other", 2, "nginx:someone-elses", null);
        replicaSet("web-three", 3, "nginx:broken", applied);

        String said = rollback.rollBackUnfinished(Map.of("deployment.apps/web (shop)", applied), watcher);

        assertTrue(said.startsWith("rolled back deployment web to revision 1; the previous revision is NOT available again: "
                + "rollback not ready after 1s"), said);
        assertTrue(cluster.lines.contains("rolled back deployment web to revision 1"), cluster.lines.toString());
        assertEquals("nginx:1.26", live().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertFalse(live().getSpec().getTemplate().getMetadata().getLabels().containsKey("pod-template-hash"),
                live().getSpec().getTemplate().getMetadata().getLabels().toString());
    }

    @Test
    void aDeploymentThatIsGoneOrRolledOutIsLeftAlone() {
        HasMetadata gone = web("nginx:broken", 2);
        assertEquals("deployment web is gone; nothing to roll back",
                rollback.rollBackUnfinished(Map.of("deployment.apps/web (shop)", gone), watcher));

        Deployment done = cluster.admin.apps().deployments().inNamespace("shop").resource(web("nginx:1.27", 1)).create();
        done.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withObservedGeneration(
                done.getMetadata().getGeneration()).withReplicas(1).withUpdatedReplicas(1).withAvailableReplicas(1).build());
        cluster.admin.apps().deployments().inNamespace("shop").resource(done).updateStatus();
        assertEquals("no Deployment to roll back",
                rollback.rollBackUnfinished(Map.of("deployment.apps/web (shop)", done), watcher));
        assertEquals("nginx:1.27", live().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    }
}
