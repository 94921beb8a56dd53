package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.jenkins.plugins.kubeadm.core.addons.ManifestException;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployWorkloadTest {

    /** A plain nginx Deployment and its Service, as the kubeadm runbooks deploy first. */
    private static String nginx(String image) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  replicas: 2
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                      - name: nginx
                        image: IMAGE
                        ports:
                        - containerPort: 80
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  selector: {app: web}
                  ports:
                  - port: 80
                """.replace("IMAGE", image);
    }

    private static WorkloadOptions options(String manifest) {
        return new WorkloadOptions().manifestText(manifest).namespace("shop").timeout(Duration.ofSeconds(10));
    }

    private static String image(FakeCluster cluster) {
        Deployment d = cluster.admin.apps().deployments().inNamespace("shop").withName("web").get();
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    @Test
    void rolloutCompletesThenReapplyIsUnchangedAndSmokeCheckPasses() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            FakeDeploymentController.play(cluster, "shop", "web");
            cluster.api.server().expect().get().withPath("/api/v1/namespaces/shop/services/web:80/proxy/")
                    .andReturn(200, "<title>Welcome to nginx!</title>").always();

            DeployResult first = steps.deployWorkload(options(nginx("nginx:1.27")).smokeTarget("service/web:80"));
            assertEquals("2 created, 0 configured, 0 unchanged", first.applied().line());
            assertEquals(List.of("deployment.apps/web"), first.rolledOut());
            assertEquals("smoke check GET services/web:80/ in shop: HTTP 200", first.smokeCheck());
            assertTrue(cluster.lines.contains("rollout: 0/1 complete; deployment.apps/web (shop): 2/2 updated, 1/2 available"),
                    cluster.lines.toString());
            assertNotNull(cluster.admin.services().inNamespace("shop").withName("web").get());

            DeployResult again = steps.deployWorkload(options(nginx("nginx:1.27")));
            assertEquals("0 created, 0 configured, 2 unchanged", again.applied().line());
        }
    }

    @Test
    void failedRolloutIsRolledBackAndTheStepStillFails() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            FakeDeploymentController.play(cluster, "shop", "web");
            steps.deployWorkload(options(nginx("nginx:1.27")));

            ClusterStepException e = assertThrows(ClusterStepException.class,
                    () -> steps.deployWorkload(options(nginx("nginx:broken")).rollbackOnFailure(true)));
            assertTrue(e.getMessage().contains("rollout failed: deployment web exceeded its progress deadline"), e.getMessage());
            assertTrue(e.getMessage().contains("ErrImagePull"), e.getMessage());
            assertTrue(e.getMessage().contains("rolled back deployment web to revision 1"), e.getMessage());
            assertTrue(e.getMessage().endsWith("; the previous revision is available again: deployment.apps/web"), e.getMessage());
            assertEquals("nginx:1.27", image(cluster));
            // The step returned only once the rolled-back revision was rolled out and available.
            Deployment live = cluster.admin.apps().deployments().inNamespace("shop").withName("web").get();
            assertEquals(live.getMetadata().getGeneration(), live.getStatus().getObservedGeneration());
            assertEquals(2, live.getStatus().getAvailableReplicas());
            assertTrue(cluster.lines.contains("rollback: 0/1 complete; deployment.apps/web (shop): 2/2 updated, 1/2 available"),
                    cluster.lines.toString());
        }
    }

    @Test
    void aRollbackWhosePreviousRevisionDoesNotComeBackSaysSo() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            FakeDeploymentController.play(cluster, "shop", "web");
            assertThrows(WaitTimeoutException.class,
                    () -> steps.deployWorkload(options(nginx("nginx:stuck")).timeout(Duration.ofSeconds(1))));
            // The controller makes revision 1's pod again when the rollback brings revision 1 back.
            cluster.admin.pods().inNamespace("shop").withName("web-1-x1").delete();

            ClusterStepException e = assertThrows(ClusterStepException.class, () -> steps.deployWorkload(
                    options(nginx("nginx:broken")).rollbackOnFailure(true).timeout(Duration.ofSeconds(3))));
            assertTrue(e.getMessage().contains("rollout failed: deployment web exceeded its progress deadline"), e.getMessage());
            assertTrue(e.getMessage().contains("rolled back deployment web to revision 1; the previous revision is NOT available "
                    + "again: rollback not ready after 3s: deployment.apps/web in shop: 2/2 updated, 0/2 available"), e.getMessage());
            assertTrue(e.getMessage().endsWith("pod shop/web-1-x1 on node w1: container nginx waiting: ImagePullBackOff: "
                    + "Back-off pulling image \"nginx:stuck\""), e.getMessage());
            assertEquals("nginx:stuck", image(cluster));
        }
    }

    @Test
    void aRolloutWhosePodCannotPullItsImageFailsAfterTheGracePeriodAndIsRolledBack() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            FakeDeploymentController.play(cluster, "shop", "web");
            steps.deployWorkload(options(nginx("nginx:1.27")));

            long start = System.nanoTime();
            ClusterStepException e = assertThrows(ClusterStepException.class, () -> steps.deployWorkload(
                    options(nginx("nginx:missing")).rollbackOnFailure(true).timeout(Duration.ofSeconds(60))
                            .imagePullGrace(Duration.ofSeconds(1))));
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

            assertTrue(e.getMessage().startsWith("rollout failed: pod shop/web-2-x1: container nginx has not been able to pull "
                    + "image nginx:missing for 1s: ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack "
                    + "image \"docker.io/library/nginx:missing\": not found"), e.getMessage());
            // The grace period is waited for, and its end wakes the wait: no change and no heartbeat (15 s) comes after it.
            assertTrue(elapsedMillis >= 1000 && elapsedMillis < 10_000, "failed after " + elapsedMillis + " ms");
            assertTrue(e.getMessage().contains("rolled back deployment web to revision 1"), e.getMessage());
            assertTrue(e.getMessage().endsWith("; the previous revision is available again: deployment.apps/web"), e.getMessage());
            assertEquals("nginx:1.27", image(cluster));
            assertTrue(cluster.lines.contains("rollout: 0/1 complete; deployment.apps/web (shop): 1/2 updated, 2/2 available, "
                    + "2 old pending termination"), cluster.lines.toString());
        }
    }

    @Test
    void aPullFailureWithoutRollbackOnFailureLeavesTheNewRevision() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            FakeDeploymentController.play(cluster, "shop", "web");
            steps.deployWorkload(options(nginx("nginx:1.27")));

            WaitFailedException e = assertThrows(WaitFailedException.class, () -> steps.deployWorkload(
                    options(nginx("nginx:missing")).timeout(Duration.ofSeconds(60)).imagePullGrace(Duration.ofSeconds(1))));
            assertTrue(e.getMessage().contains("container nginx has not been able to pull image nginx:missing"), e.getMessage());
            assertEquals("nginx:missing", image(cluster), "no rollback unless asked for");
        }
    }

    @Test
    void aPullThatFailsForLessThanTheGracePeriodDoesNotFailTheRollout() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            FakeDeploymentController.play(cluster, "shop", "web");
            DeployResult result = steps.deployWorkload(options(nginx("nginx:slow")).imagePullGrace(Duration.ofSeconds(3)));
            assertEquals(List.of("deployment.apps/web"), result.rolledOut());
        }
    }

    @Test
    void aSmokeTargetTheManifestsDefineIsCheckedInItsOwnNamespace() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            cluster.api.server().expect().get().withPath("/api/v1/namespaces/shop/services/web:80/proxy/")
                    .andReturn(200, "ok").always();
            String manifest = """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: web, namespace: shop}
                    spec:
                      selector: {app: web}
                      ports: [{port: 80}]
                    """;
            DeployResult result = steps.deployWorkload(new WorkloadOptions().manifestText(manifest).smokeTarget("service/web:80"));

            assertEquals("smoke check GET services/web:80/ in shop: HTTP 200", result.smokeCheck());
            assertEquals(List.of("GET /api/v1/namespaces/shop/services/web:80/proxy/"),
                    cluster.api.requests().stream().filter(r -> r.contains("/proxy/")).toList());
        }
    }

    @Test
    void aSmokeTargetTheManifestsDefineInTwoNamespacesFailsBeforeAnythingIsApplied() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            String manifest = """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: web, namespace: blue}
                    spec: {ports: [{port: 80}]}
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata: {name: web, namespace: green}
                    spec: {ports: [{port: 80}]}
                    """;
            ParameterException e = assertThrows(ParameterException.class,
                    () -> steps.deployWorkload(new WorkloadOptions().manifestText(manifest).smokeTarget("svc/web:80")));
            assertEquals("smokeTarget", e.parameter());
            assertTrue(e.getMessage().contains("Service web is defined in several namespaces of the manifests (blue, green)"),
                    e.getMessage());
            assertTrue(cluster.api.requests().stream().noneMatch(r -> r.startsWith("PATCH") || r.startsWith("POST")),
                    cluster.api.requests().toString());
        }
    }

    /** A CRD and, before it in the manifests, a resource of its kind. */
    private static final String WIDGET_AND_ITS_DEFINITION = """
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: blue
            spec:
              size: 3
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: widgets.example.com
            spec:
              group: example.com
              scope: Namespaced
              names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
              versions:
              - name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
            """;

    @Test
    void aCustomResourceIsAppliedOnlyOnceItsDefinitionIsEstablished() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            // The API server's part: the definition becomes Established a moment after it is created.
            cluster.control(() -> {
                CustomResourceDefinition crd = FakeCluster.eventually(
                        () -> cluster.admin.apiextensions().v1().customResourceDefinitions().withName("widgets.example.com").get());
                cluster.awaitLine("CustomResourceDefinitions established: 0/1; widgets.example.com: not Established yet");
                crd.setStatus(new CustomResourceDefinitionStatusBuilder().addNewCondition().withType("NamesAccepted")
                        .withStatus("True").endCondition().addNewCondition().withType("Established").withStatus("True")
                        .endCondition().build());
                cluster.admin.apiextensions().v1().customResourceDefinitions().resource(crd).updateStatus();
            });
            DeployResult result = steps.deployWorkload(options(WIDGET_AND_ITS_DEFINITION));
            assertEquals("2 created, 0 configured, 0 unchanged", result.applied().line());

            GenericKubernetesResource widget = cluster.admin.genericKubernetesResources("example.com/v1", "Widget")
                    .inNamespace("shop").withName("blue").get();
            assertNotNull(widget, "the widget was applied in the step's namespace");
            assertEquals(3, ((Number) widget.get("spec", "size")).intValue());
            List<String> requests = cluster.api.requests();
            int established = indexOf(requests, "PUT /apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com/status");
            int applied = indexOf(requests, "PATCH /apis/example.com/v1/namespaces/shop/widgets/blue");
            assertTrue(established >= 0 && applied > established, "the widget was applied before its definition was established: " + requests);

            // Again: both known now, nothing to wait for, nothing changes.
            assertEquals("0 created, 0 configured, 2 unchanged", steps.deployWorkload(options(WIDGET_AND_ITS_DEFINITION)).applied().line());
            // A widget alone: the cluster knows the kind now (API discovery), and its scope puts it in the step's namespace.
            String green = WIDGET_AND_ITS_DEFINITION.substring(0, WIDGET_AND_ITS_DEFINITION.indexOf("---")).replace("blue", "green");
            assertEquals("1 created, 0 configured, 0 unchanged", steps.deployWorkload(options(green)).applied().line());
            assertNotNull(cluster.admin.genericKubernetesResources("example.com/v1", "Widget").inNamespace("shop").withName("green").get());
        }
    }

    private static int indexOf(List<String> requests, String prefix) {
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aKindTheClusterDoesNotKnowFailsNamingTheDocumentBeforeAnythingIsApplied() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            String manifest = nginx("nginx:1.27") + """
                    ---
                    apiVersion: example.com/v1
                    kind: Gadget
                    metadata:
                      name: g1
                    """;
            ManifestException e = assertThrows(ManifestException.class, () -> steps.deployWorkload(options(manifest)));
            assertEquals("invalid manifests: document 3 (Gadget g1): the cluster does not know kind Gadget in example.com/v1, "
                    + "and no CustomResourceDefinition in these manifests defines it (install its CRD first, or add it to the "
                    + "manifests); nothing was applied", e.getMessage());
            assertNull(cluster.admin.apps().deployments().inNamespace("shop").withName("web").get());
        }
    }

    @Test
    void rolloutThatNeverFinishesTimesOutNamingWhatIsMissing() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            FakeDeploymentController.play(cluster, "shop", "web");
            WaitTimeoutException e = assertThrows(WaitTimeoutException.class,
                    () -> steps.deployWorkload(options(nginx("nginx:stuck")).timeout(Duration.ofSeconds(1))));
            assertTrue(e.getMessage().startsWith("rollout not ready after 1s"), e.getMessage());
            assertTrue(e.notReady().contains("deployment.apps/web in shop: 2/2 updated, 0/2 available"), e.notReady().toString());
            assertTrue(e.getMessage().contains("pod shop/web-1-x1 on node w1: container nginx waiting: ImagePullBackOff"), e.getMessage());
            assertEquals("nginx:stuck", image(cluster), "no rollback unless asked for");
        }
    }

    @Test
    void rollbackWithoutAPreviousRevisionSaysSo() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            FakeDeploymentController.play(cluster, "shop", "web");
            ClusterStepException e = assertThrows(ClusterStepException.class, () -> steps.deployWorkload(
                    options(nginx("nginx:stuck")).rollbackOnFailure(true).timeout(Duration.ofSeconds(1))));
            assertTrue(e.getMessage().contains("could not roll back deployment web: it has no previous revision"), e.getMessage());
        }
    }

    @Test
    void invalidManifestFailsBeforeAnythingIsApplied() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            String manifest = """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: settings}
                    data: {mode: prod}
                    ---
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: api}
                    spec:
                      replicas: two
                      selector: {matchLabels: {app: api}}
                      template:
                        metadata: {labels: {app: api}}
                        spec:
                          containers: [{name: api, image: example.org/api:1}]
                    ---
                    apiVersion: apps/v1
                    kind: StatefulSet
                    metadata: {name: db}
                    spec:
                      selector: {matchLabels: {app: db}}
                      template:
                        metadata: {labels: {app: other}}
                        spec:
                          containers: [{name: db}]
                    """;
            ManifestException e = assertThrows(ManifestException.class, () -> steps.deployWorkload(options(manifest)));
            String m = e.getMessage();
            assertTrue(m.contains("document 2 (Deployment api): spec.replicas has the wrong type (expected an integer)"), m);
            assertTrue(m.contains("document 3 (StatefulSet db): spec.selector.matchLabels app does not match"), m);
            assertTrue(m.contains("document 3 (StatefulSet db): spec.template.spec.containers[0].image is missing")
                    || m.contains("document 3 (StatefulSet db): containers[0].image is missing"), m);
            assertTrue(m.endsWith("nothing was applied"), m);
            assertFalse(m.contains("two"), "the bad value is not repeated: " + m);
            assertTrue(cluster.api.requests().stream().noneMatch(r -> r.startsWith("PATCH") || r.startsWith("POST")),
                    cluster.api.requests().toString());
            assertNull(cluster.admin.configMaps().inNamespace("shop").withName("settings").get());
        }
    }

    @Test
    void objectInAnotherNamespaceThanTheStepsIsRefused() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            ManifestException e = assertThrows(ManifestException.class, () -> steps.deployWorkload(options(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: prod}\n")));
            assertTrue(e.getMessage().contains("document 1 (ConfigMap a): metadata.namespace is prod but the step's namespace is shop"),
                    e.getMessage());
        }
    }

    @Test
    void forbiddenRequestNamesVerbResourceAndNamespace() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            cluster.api.deny("PATCH", "/apis/apps/v1/namespaces/shop/deployments", "patch", "deployments");
            ClusterStepException e = assertThrows(ClusterStepException.class, () -> steps.deployWorkload(options(nginx("nginx:1.27"))));
            assertTrue(e.getMessage().startsWith("forbidden: the kubeconfig's user may not patch deployments.apps in namespace shop"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("User \"ci-deployer\" cannot patch resource"), e.getMessage());
        }
    }

    @Test
    void manifestsFromADirectoryInNameOrder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("10-config.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n");
        Files.writeString(dir.resolve("20-more.yml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\n"
                + "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: runner}\n");
        Files.writeString(dir.resolve("README.md"), "not a manifest");
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            DeployResult result = steps.deployWorkload(new WorkloadOptions().manifestPath(dir.toString()));
            assertEquals("3 created, 0 configured, 0 unchanged", result.applied().line());
            assertEquals("v", cluster.admin.configMaps().inNamespace("default").withName("a").get().getData().get("k"));
            assertNotNull(cluster.admin.serviceAccounts().inNamespace("default").withName("runner").get());
            assertTrue(result.rolledOut().isEmpty());
        }
    }

    @Test
    void smokeCheckThatDoesNotAnswer2xxFailsTheStep() throws Exception {
        try (FakeCluster cluster = new FakeCluster(); ClusterSteps steps = cluster.steps()) {
            cluster.api.server().expect().get().withPath("/api/v1/namespaces/shop/pods/web-0:8080/proxy/healthz")
                    .andReturn(500, "database unreachable").always();
            ClusterStepException e = assertThrows(ClusterStepException.class, () -> steps.deployWorkload(
                    options("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n").smokeTarget("pod/web-0:8080")
                            .smokePath("/healthz")));
            assertEquals("smoke check GET pods/web-0:8080/healthz in shop failed: HTTP 500: database unreachable", e.getMessage());
        }
    }

    @Test
    void optionsAreChecked() {
        assertEquals("smokeTarget", assertThrows(ParameterException.class,
                () -> new WorkloadOptions().smokeTarget("deployment/web")).parameter());
        assertEquals("namespace", assertThrows(ParameterException.class, () -> new WorkloadOptions().namespace("Shop")).parameter());
        assertEquals("manifestPath", assertThrows(ParameterException.class,
                () -> new WorkloadOptions().manifestPath("/no/such/dir")).parameter());
        assertEquals("manifestPath", assertThrows(ParameterException.class, () -> new WorkloadOptions().check()).parameter());
    }
}
