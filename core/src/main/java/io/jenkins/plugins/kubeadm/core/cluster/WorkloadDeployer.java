package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.kubeadm.core.addons.ManifestObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * deployWorkload: applies the user's manifests ({@link WorkloadManifests}) with server-side apply,
 * waits for every Deployment, StatefulSet and DaemonSet among them to roll out ({@link RolloutWaits}),
 * optionally rolls failed Deployments back ({@link DeploymentRollback}), and optionally checks an HTTP
 * endpoint through the API server proxy ({@link SmokeCheck}).
 */
final class WorkloadDeployer {

    private final KubernetesClient client;
    private final Consumer<String> progress;
    private final RolloutWaits rollouts;
    private final DeploymentRollback undo;

    WorkloadDeployer(KubernetesClient client, Consumer<String> progress) {
        this.client = client;
        this.progress = progress;
        this.rollouts = new RolloutWaits(client, progress);
        this.undo = new DeploymentRollback(client, progress);
    }

    DeployResult deploy(WorkloadOptions options) {
        options.check();
        List<ManifestObject> objects = WorkloadManifests.load(options);
        CustomResources customResources = new CustomResources(client, progress);
        CustomResources.Plan plan = customResources.plan(objects);
        WorkloadManifests.assignNamespaces(objects, options.namespace, plan);
        ApplySummary summary = apply(objects, plan, customResources, options);
        progress.accept("applied: " + summary.line());

        Map<String, HasMetadata> workloads = new LinkedHashMap<>();
        for (ApplySummary.Applied applied : summary.objects()) {
            if (Rollouts.isRolledOut(applied.result())) {
                workloads.put(applied.name() + " (" + applied.namespace() + ")", applied.result());
            }
        }
        List<String> rolledOut = new ArrayList<>();
        if (!workloads.isEmpty()) {
            try {
                rollouts.await(workloads, "rollout", options);
            } catch (WaitTimeoutException | WaitFailedException failure) {
                if (!options.rollbackOnFailure) {
                    throw failure;
                }
                List<String> rollbacks = new ArrayList<>();
                Map<String, HasMetadata> rolledBack = new LinkedHashMap<>();
                for (var entry : workloads.entrySet()) {
                    if (entry.getValue() instanceof Deployment d && !Rollouts.deployment(undo.current(d)).done()) {
                        DeploymentRollback.Rollback rollback = undo.rollback(d);
                        rollbacks.add(rollback.line());
                        if (rollback.restored() != null) {
                            rolledBack.put(entry.getKey(), rollback.restored());
                        }
                    }
                }
                throw new ClusterStepException(failure.getMessage() + " — rollbackOnFailure: "
                        + (rollbacks.isEmpty() ? "no Deployment to roll back" : String.join("; ", rollbacks))
                        + awaitRollbacks(rolledBack, options));
            }
            workloads.values().forEach(w -> rolledOut.add(ApiErrors.kubectlName(w)));
            progress.accept("rolled out: " + String.join(", ", rolledOut));
        }
        String smoke = options.smokeTarget == null ? null
                : new SmokeCheck(client, progress).check(options.smokeTarget, options.namespace == null ? "default" : options.namespace,
                options.smokePath, options.smokeTimeout);
        return new DeployResult(summary, rolledOut, smoke);
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

    /**
     * Waits for the rolled-back Deployments as for any rollout, and says whether their previous
     * revision is available again; a rollback that does not come back is reported, not thrown, so
     * the step's failure stays the original rollout's.
     */
    private String awaitRollbacks(Map<String, HasMetadata> rolledBack, WorkloadOptions options) {
        if (rolledBack.isEmpty()) {
            return "";
        }
        List<String> names = rolledBack.values().stream().map(ApiErrors::kubectlName).toList();
        try {
            rollouts.await(rolledBack, "rollback", options);
        } catch (WaitTimeoutException | WaitFailedException e) {
            String line = "the previous revision is NOT available again: " + e.getMessage();
            progress.accept(line);
            return "; " + line;
        }
        String line = "the previous revision is available again: " + String.join(", ", names);
        progress.accept(line);
        return "; " + line;
    }
}
