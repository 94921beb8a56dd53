package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.kubeadm.core.addons.ManifestObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * deployWorkload: applies the user's manifests ({@link WorkloadManifests}) with server-side apply,
 * waits for every Deployment, StatefulSet and DaemonSet among them to roll out ({@link RolloutWatcher}),
 * failing early when their pods cannot pull an image, optionally rolls failed Deployments back
 * ({@link DeploymentRollback}), and optionally checks an HTTP endpoint through the API server proxy
 * ({@link SmokeCheck}), in the namespace {@link SmokeCheck#namespaceFor} finds.
 */
final class WorkloadDeployer {

    private final KubernetesClient client;
    private final Consumer<String> progress;

    WorkloadDeployer(KubernetesClient client, Consumer<String> progress) {
        this.client = client;
        this.progress = progress;
    }

    DeployResult deploy(WorkloadOptions options) {
        options.check();
        List<ManifestObject> objects = WorkloadManifests.load(options);
        CustomResources customResources = new CustomResources(client, progress);
        CustomResources.Plan plan = customResources.plan(objects);
        WorkloadManifests.assignNamespaces(objects, options.namespace, plan);
        // Decided before anything is applied, so an ambiguous target fails with nothing changed.
        String smokeNamespace = options.smokeTarget == null ? null : SmokeCheck.namespaceFor(options.smokeTarget,
                options.namespace, objects.stream().map(ManifestObject::object).toList());
        ApplySummary summary = apply(objects, plan, customResources, options);
        progress.accept("applied: " + summary.line());

        Map<String, HasMetadata> workloads = workloadsIn(summary);
        List<String> rolledOut = new ArrayList<>();
        if (!workloads.isEmpty()) {
            RolloutWatcher watcher = new RolloutWatcher(client, progress, options.timeout, options.heartbeat,
                    options.imagePullGrace);
            try {
                watcher.await("rollout", workloads);
            } catch (WaitTimeoutException | WaitFailedException failure) {
                if (!options.rollbackOnFailure) {
                    throw failure;
                }
                throw new ClusterStepException(failure.getMessage() + " — rollbackOnFailure: "
                        + new DeploymentRollback(client, progress).rollBackUnfinished(workloads, watcher));
            }
            workloads.values().forEach(w -> rolledOut.add(ApiErrors.kubectlName(w)));
            progress.accept("rolled out: " + String.join(", ", rolledOut));
        }
        String smoke = options.smokeTarget == null ? null
                : new SmokeCheck(client, progress).run(options.smokeTarget, smokeNamespace, options.smokePath,
                options.smokeTimeout);
        return new DeployResult(summary, rolledOut, smoke);
    }

    /** The applied objects that roll out, by the label progress lines show, e.g. {@code deployment.apps/web (shop)}. */
    private static Map<String, HasMetadata> workloadsIn(ApplySummary summary) {
        Map<String, HasMetadata> workloads = new LinkedHashMap<>();
        for (ApplySummary.Applied applied : summary.objects()) {
            if (Rollouts.isRolledOut(applied.result())) {
                workloads.put(applied.name() + " (" + applied.namespace() + ")", applied.result());
            }
        }
        return workloads;
    }

    /**
     * Everything in one apply, unless custom resources need a definition from these manifests:
     * then namespaces and definitions go first, and the rest only once those definitions are Established.
     */
    private ApplySummary apply(List<ManifestObject> objects, CustomResources.Plan plan, CustomResources customResources,
                               WorkloadOptions options) {
        ServerSideApplier applier = new ServerSideApplier(client, progress);
        List<HasMetadata> all = objects.stream().map(ManifestObject::object).toList();
        if (plan.definitions().isEmpty()) {
            return applier.apply(all);
        }
        List<HasMetadata> first = all.stream().filter(WorkloadDeployer::isDefinitionOrNamespace).toList();
        List<HasMetadata> rest = all.stream().filter(o -> !isDefinitionOrNamespace(o)).toList();
        List<ApplySummary.Applied> applied = new ArrayList<>(applier.apply(first).objects());
        customResources.awaitEstablished(plan.definitions(), options.timeout, options.heartbeat);
        applied.addAll(applier.apply(rest).objects());
        return new ApplySummary(applied);
    }

    private static boolean isDefinitionOrNamespace(HasMetadata object) {
        return object instanceof Namespace || object instanceof CustomResourceDefinition;
    }
}
