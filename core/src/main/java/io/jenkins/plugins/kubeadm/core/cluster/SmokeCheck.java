package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * deployWorkload's smokeTarget: a GET through the API server's service or pod proxy that must
 * answer 2xx. 502 and 503 (the proxy has no endpoint yet) and unanswered requests are tried again
 * with backoff until the timeout; any other answer fails at once.
 */
final class SmokeCheck {

    private static final long FIRST_BACKOFF_MILLIS = 250;
    private static final long MAX_BACKOFF_MILLIS = 4000;
    private static final int MAX_EXCERPT = 200;

    private final KubernetesClient client;
    private final Consumer<String> progress;

    SmokeCheck(KubernetesClient client, Consumer<String> progress) {
        this.client = client;
        this.progress = progress;
    }

    /**
     * The namespace the smoke check looks in: the step's namespace when given; otherwise that of the
     * manifests' object of the target's kind and name (a Service that names its own namespace);
     * otherwise the default namespace.
     *
     * @param objects the manifests' objects, with their namespaces assigned
     * @throws ParameterException when the manifests define that object in more than one namespace
     */
    static String namespaceFor(WorkloadOptions.SmokeTarget target, String stepNamespace, List<HasMetadata> objects) {
        if (stepNamespace != null) {
            return stepNamespace;
        }
        List<String> namespaces = objects.stream()
                .filter(o -> "v1".equals(o.getApiVersion()) && target.kind().equals(o.getKind())
                        && target.name().equals(o.getMetadata().getName()))
                .map(o -> o.getMetadata().getNamespace() == null ? WorkloadManifests.DEFAULT_NAMESPACE : o.getMetadata().getNamespace())
                .distinct().toList();
        if (namespaces.size() > 1) {
            throw new ParameterException("smokeTarget", target.kind() + " " + target.name()
                    + " is defined in several namespaces of the manifests (" + String.join(", ", namespaces)
                    + "), so the smoke check cannot tell which one to check",
                    "service/NAME:PORT or pod/NAME:PORT naming a Service or Pod the manifests define in one namespace only");
        }
        return namespaces.isEmpty() ? WorkloadManifests.DEFAULT_NAMESPACE : namespaces.get(0);
    }

    /**
     * @return the line printed on success, e.g. {@code smoke check GET services/web:80/ in shop: HTTP 200}
     * @throws ClusterStepException naming the last answer
     */
    String run(WorkloadOptions.SmokeTarget target, String namespace, String path, Duration timeout) {
        String base = client.getConfiguration().getMasterUrl();
        String url = (base.endsWith("/") ? base : base + "/") + "api/v1/namespaces/" + namespace + "/" + target.resource()
                + "/" + target.name() + ":" + target.port() + "/proxy" + path;
        String what = "smoke check GET " + target.resource() + "/" + target.name() + ":" + target.port() + path
                + " in " + namespace;
        // The client retries 5xx answers with backoff on its own (about 20 s); the smoke check decides
        // itself which answers are worth another try, so it uses a client that does not retry.
        try (KubernetesClient once = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withRequestRetryBackoffLimit(0).build()).build()) {
            return run(once.getHttpClient(), url, what, timeout);
        }
    }

    private String run(HttpClient http, String url, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMillis = FIRST_BACKOFF_MILLIS;
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
            backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
        }
    }

    /** The body on one line, cut at {@value #MAX_EXCERPT} characters: enough for an error page's gist. */
    private static String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return ": " + (oneLine.length() > MAX_EXCERPT ? oneLine.substring(0, MAX_EXCERPT) + "..." : oneLine);
    }
}
