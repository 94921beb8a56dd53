package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jenkins.plugins.kubeadm.core.addons.ManifestException;
import io.jenkins.plugins.kubeadm.core.addons.ManifestObject;
import io.jenkins.plugins.kubeadm.core.addons.ManifestSource;
import io.jenkins.plugins.kubeadm.core.addons.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * deployWorkload: applies the user's manifests with server-side apply, waits for every Deployment,
 * StatefulSet and DaemonSet among them to roll out, optionally rolls failed Deployments back, and
 * optionally checks an HTTP endpoint through the API server proxy.
 */
final class WorkloadDeployer {

    static final String REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final int MAX_DETAILS = 20;

    private final KubernetesClient client;
    private final Consumer<String> progress;

    WorkloadDeployer(KubernetesClient client, Consumer<String> progress) {
        this.client = client;
        this.progress = progress;
    }

    DeployResult deploy(WorkloadOptions options) {
        options.check();
        List<ManifestObject> objects = load(options);
        CustomResources customResources = new CustomResources(client, progress);
        CustomResources.Plan plan = customResources.plan(objects);
        assignNamespaces(objects, options.namespace, plan);
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
                awaitRollouts(workloads, options);
            } catch (WaitTimeoutException | WaitFailedException failure) {
                if (!options.rollbackOnFailure) {
                    throw failure;
                }
                List<String> rollbacks = new ArrayList<>();
                Map<String, HasMetadata> rolledBack = new LinkedHashMap<>();
                for (var entry : workloads.entrySet()) {
                    if (entry.getValue() instanceof Deployment d && !Rollouts.deployment(current(d)).done()) {
                        Rollback rollback = rollback(d);
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
                : smokeCheck(options.smokeTarget, options.namespace == null ? "default" : options.namespace,
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

    private List<ManifestObject> load(WorkloadOptions options) {
        if (options.manifestText != null) {
            return Manifests.parse(options.manifestText, "manifestText");
        }
        List<Path> files;
        if (Files.isDirectory(options.manifestPath)) {
            try (Stream<Path> list = Files.list(options.manifestPath)) {
                files = list.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().matches("(?i).*\\.(ya?ml|json)"))
                        .sorted(Comparator.comparing(Path::toString)).toList();
            } catch (IOException e) {
                throw new ManifestException("cannot list manifest directory " + options.manifestPath);
            }
            if (files.isEmpty()) {
                throw new ManifestException("manifest directory " + options.manifestPath + " has no .yaml, .yml or .json files");
            }
        } else {
            files = List.of(options.manifestPath);
        }
        List<ManifestObject> all = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            ManifestSource.Fetched fetched = ManifestSource.fromFile(file);
            try {
                all.addAll(Manifests.parse(fetched.text(), file.toString()));
            } catch (ManifestException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ManifestException(String.join(" | ", problems));
        }
        return all;
    }

    /** Namespaced objects without a namespace get the step's (or default); one naming another namespace is an error. */
    private static void assignNamespaces(List<ManifestObject> objects, String namespace, CustomResources.Plan plan) {
        List<String> problems = new ArrayList<>();
        for (ManifestObject object : objects) {
            Boolean namespaced = plan.namespaced(object);
            String own = object.object().getMetadata().getNamespace();
            if (Boolean.FALSE.equals(namespaced)) {
                continue;
            }
            if (own == null) {
                if (namespace != null || Boolean.TRUE.equals(namespaced)) {
                    object.object().getMetadata().setNamespace(namespace == null ? "default" : namespace);
                }
            } else if (namespace != null && !namespace.equals(own)) {
                problems.add(object.label() + ": metadata.namespace is " + own + " but the step's namespace is " + namespace);
            }
        }
        if (!problems.isEmpty()) {
            throw new ManifestException("invalid manifests: " + String.join("; ", problems) + "; nothing was applied");
        }
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
            awaitRollouts(rolledBack, "rollback", options);
        } catch (WaitTimeoutException | WaitFailedException e) {
            String line = "the previous revision is NOT available again: " + e.getMessage();
            progress.accept(line);
            return "; " + line;
        }
        String line = "the previous revision is available again: " + String.join(", ", names);
        progress.accept(line);
        return "; " + line;
    }

    private void awaitRollouts(Map<String, HasMetadata> workloads, WorkloadOptions options) {
        awaitRollouts(workloads, "rollout", options);
    }

    /** @param what "rollout" or "rollback": names the wait in progress lines and the timeout message */
    private void awaitRollouts(Map<String, HasMetadata> workloads, String what, WorkloadOptions options) {
        try (Watches watches = new Watches()) {
            Map<String, Watches.View<? extends HasMetadata>> views = new LinkedHashMap<>();
            for (var entry : workloads.entrySet()) {
                HasMetadata w = entry.getValue();
                String ns = w.getMetadata().getNamespace();
                String name = w.getMetadata().getName();
                Watches.View<? extends HasMetadata> view;
                if (w instanceof Deployment) {
                    view = watches.watch(client.apps().deployments().inNamespace(ns).withName(name), "deployments.apps", ns);
                } else if (w instanceof StatefulSet) {
                    view = watches.watch(client.apps().statefulSets().inNamespace(ns).withName(name), "statefulsets.apps", ns);
                } else {
                    view = watches.watch(client.apps().daemonSets().inNamespace(ns).withName(name), "daemonsets.apps", ns);
                }
                views.put(entry.getKey(), view);
            }
            watches.await(what, options.timeout, options.heartbeat, progress, () -> {
                List<String> parts = new ArrayList<>();
                List<String> pending = new ArrayList<>();
                String failure = null;
                int done = 0;
                for (var entry : views.entrySet()) {
                    Rollouts.State state = Rollouts.of(entry.getValue().first());
                    if (state.done()) {
                        done++;
                    } else {
                        parts.add(entry.getKey() + ": " + state.progress());
                        pending.add(entry.getKey());
                    }
                    if (state.failure() != null && failure == null) {
                        failure = what + " failed: " + state.failure();
                    }
                }
                String summary = what + ": " + done + "/" + views.size() + " complete"
                        + (parts.isEmpty() ? "" : "; " + String.join("; ", parts));
                if (parts.isEmpty()) {
                    return Readiness.ready(summary);
                }
                List<HasMetadata> notDone = new ArrayList<>();
                for (var entry : views.entrySet()) {
                    HasMetadata live = entry.getValue().first();
                    if (!Rollouts.of(live).done()) {
                        notDone.add(live == null ? workloads.get(entry.getKey()) : live);
                    }
                }
                return failure != null ? Readiness.failed(summary, failure, () -> diagnose(notDone))
                        : Readiness.waiting(summary, () -> diagnose(notDone));
            });
        }
    }

    /** For each workload still rolling out: its progress and each of its pods that is not ready, with the reason. */
    private List<String> diagnose(List<HasMetadata> notDone) {
        List<String> details = new ArrayList<>();
        for (HasMetadata w : notDone) {
            details.add(ApiErrors.kubectlName(w) + " in " + w.getMetadata().getNamespace() + ": " + Rollouts.of(w).progress());
            LabelSelector selector = selectorOf(w);
            if (selector == null || selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty()) {
                continue;
            }
            List<Pod> pods;
            try {
                pods = client.pods().inNamespace(w.getMetadata().getNamespace()).withLabels(selector.getMatchLabels()).list().getItems();
            } catch (KubernetesClientException e) {
                throw ApiErrors.translate(e, "list", "pods", w.getMetadata().getNamespace(), null);
            }
            pods.stream().filter(p -> !Diagnosis.isReady(p)).forEach(p -> details.add(Diagnosis.pod(p)));
        }
        return details.size() > MAX_DETAILS ? details.subList(0, MAX_DETAILS) : details;
    }

    private static LabelSelector selectorOf(HasMetadata w) {
        if (w instanceof Deployment d) {
            return d.getSpec().getSelector();
        }
        if (w instanceof StatefulSet s) {
            return s.getSpec().getSelector();
        }
        if (w instanceof DaemonSet d) {
            return d.getSpec().getSelector();
        }
        return null;
    }

    private Deployment current(Deployment d) {
        try {
            return client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName()).get();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "get", "deployments.apps", d.getMetadata().getNamespace(), d.getMetadata().getName());
        }
    }

    /**
     * Like {@code kubectl rollout undo}: the pod template of the ReplicaSet with the highest
     * revision below the current one becomes the Deployment's template again.
     */
    private record Rollback(String line, Deployment restored) {
    }

    private Rollback rollback(Deployment applied) {
        String ns = applied.getMetadata().getNamespace();
        String name = applied.getMetadata().getName();
        Deployment live = current(applied);
        if (live == null) {
            return new Rollback("deployment " + name + " is gone; nothing to roll back", null);
        }
        List<ReplicaSet> owned;
        try {
            owned = client.apps().replicaSets().inNamespace(ns).withLabels(live.getSpec().getSelector().getMatchLabels())
                    .list().getItems().stream()
                    .filter(rs -> rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences().stream()
                            .anyMatch(o -> live.getMetadata().getUid().equals(o.getUid())))
                    .toList();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "list", "replicasets.apps", ns, null);
        }
        long currentRevision = revision(live.getMetadata().getAnnotations());
        if (currentRevision == 0) {
            currentRevision = owned.stream().mapToLong(rs -> revision(rs.getMetadata().getAnnotations())).max().orElse(0);
        }
        long below = currentRevision;
        ReplicaSet previous = owned.stream().filter(rs -> revision(rs.getMetadata().getAnnotations()) < below)
                .max(Comparator.comparingLong(rs -> revision(rs.getMetadata().getAnnotations()))).orElse(null);
        if (previous == null) {
            return new Rollback("could not roll back deployment " + name + ": it has no previous revision (this was its first rollout)", null);
        }
        PodTemplateSpec template = SERIALIZATION.clone(previous.getSpec().getTemplate());
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            Map<String, String> labels = new HashMap<>(template.getMetadata().getLabels());
            labels.remove("pod-template-hash");
            template.getMetadata().setLabels(labels);
        }
        Deployment restored = SERIALIZATION.clone(applied);
        restored.getMetadata().setResourceVersion(null);
        restored.getMetadata().setManagedFields(null);
        restored.setStatus(null);
        restored.getSpec().setTemplate(template);
        Deployment result;
        try {
            result = client.resource(restored).fieldManager(ServerSideApplier.FIELD_MANAGER).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            throw ApiErrors.translate(e, "patch", "deployments.apps", ns, name);
        }
        long revision = revision(previous.getMetadata().getAnnotations());
        String done = "rolled back deployment " + name + " to revision " + revision;
        progress.accept(done);
        return new Rollback(done, result);
    }

    private static long revision(Map<String, String> annotations) {
        String value = annotations == null ? null : annotations.get(REVISION_ANNOTATION);
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** GET through the API server's service or pod proxy; retried while the proxy answers 502/503 (no endpoints yet). */
    private String smokeCheck(WorkloadOptions.SmokeTarget target, String namespace, String path, Duration timeout) {
        String base = client.getConfiguration().getMasterUrl();
        String url = (base.endsWith("/") ? base : base + "/") + "api/v1/namespaces/" + namespace + "/" + target.resource()
                + "/" + target.name() + ":" + target.port() + "/proxy" + path;
        String what = "smoke check GET " + target.resource() + "/" + target.name() + ":" + target.port() + path
                + " in " + namespace;
        // The client retries 5xx answers with backoff on its own (about 20 s); the smoke check decides
        // itself which answers are worth another try, so it uses a client that does not retry.
        try (KubernetesClient once = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withRequestRetryBackoffLimit(0).build()).build()) {
            return smokeCheck(once.getHttpClient(), url, what, timeout);
        }
    }

    private String smokeCheck(HttpClient http, String url, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMillis = 250;
        String last = "no answer";
        while (true) {
            try {
                long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                HttpResponse<String> response = http.sendAsync(http.newHttpRequestBuilder().uri(url).build(), String.class)
                        .get(remaining, TimeUnit.MILLISECONDS);
                int code = response.code();
                if (code >= 200 && code < 300) {
                    String line = what + ": HTTP " + code;
                    progress.accept(line);
                    return line;
                }
                last = "HTTP " + code + excerpt(response.body());
                if (code != 502 && code != 503) {
                    throw new ClusterStepException(what + " failed: " + last);
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterStepException("interrupted during " + what);
            }
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis) > deadline) {
                throw new ClusterStepException(what + " failed after " + timeout.toSeconds() + "s: " + last);
            }
            progress.accept(what + ": " + last + ", retrying");
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterStepException("interrupted during " + what);
            }
            backoffMillis = Math.min(backoffMillis * 2, 4000);
        }
    }

    private static String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return ": " + (oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine);
    }
}
