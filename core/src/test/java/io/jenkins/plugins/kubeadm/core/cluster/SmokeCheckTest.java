package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SmokeCheckTest {

    private static final String SERVICE_PATH = "/api/v1/namespaces/shop/services/web:80/proxy/";
    private static final String SERVICE_CHECK = "smoke check GET services/web:80/ in shop";

    private final ApiServerStandIn api = new ApiServerStandIn();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final SmokeCheck smokeCheck = new SmokeCheck(api.admin(), lines::add);

    @AfterEach
    void stop() {
        api.close();
    }

    private static WorkloadOptions.SmokeTarget target(String value) {
        return new WorkloadOptions().smokeTarget(value).smokeTarget;
    }

    @Test
    void noEndpointYetIsTriedAgainUntilTheServiceAnswers() {
        api.server().expect().get().withPath(SERVICE_PATH)
                .andReturn(503, "no endpoints available for service \"web\"").times(2);
        api.server().expect().get().withPath(SERVICE_PATH).andReturn(200, "ok").always();

        String line = smokeCheck.run(target("service/web:80"), "shop", "/", Duration.ofSeconds(10));

        assertEquals(SERVICE_CHECK + ": HTTP 200", line);
        String retry = SERVICE_CHECK + ": HTTP 503: no endpoints available for service \"web\", retrying";
        assertEquals(List.of(retry, retry, SERVICE_CHECK + ": HTTP 200"), lines);
    }

    @Test
    void anotherErrorFailsAtOnceWithTheBodyOnOneLineCut() {
        String body = "  not\n\tfound:   " + "x".repeat(300) + "\n";
        api.server().expect().get().withPath("/api/v1/namespaces/shop/pods/web-0:8080/proxy/healthz")
                .andReturn(404, body).always();

        ClusterStepException e = assertThrows(ClusterStepException.class,
                () -> smokeCheck.run(target("pod/web-0:8080"), "shop", "/healthz", Duration.ofSeconds(10)));

        String shown = ("not found: " + "x".repeat(300)).substring(0, 200) + "...";
        assertEquals("smoke check GET pods/web-0:8080/healthz in shop failed: HTTP 404: " + shown, e.getMessage());
        assertTrue(lines.isEmpty(), "no retry: " + lines);
        assertEquals(1, api.requests().stream().filter(r -> r.contains("/proxy/healthz")).count(), api.requests().toString());
    }

    @Test
    void anEmptyBodyAddsNothingToTheMessage() {
        api.server().expect().get().withPath(SERVICE_PATH).andReturn(500, "  \n").always();

        ClusterStepException e = assertThrows(ClusterStepException.class,
                () -> smokeCheck.run(target("service/web:80"), "shop", "/", Duration.ofSeconds(10)));

        assertEquals(SERVICE_CHECK + " failed: HTTP 500", e.getMessage());
    }

    @Test
    void aServiceWithoutEndpointsFailsAtTheTimeoutNamingTheLastAnswer() {
        api.server().expect().get().withPath(SERVICE_PATH).andReturn(502, "bad gateway").always();

        long start = System.nanoTime();
        ClusterStepException e = assertThrows(ClusterStepException.class,
                () -> smokeCheck.run(target("service/web:80"), "shop", "/", Duration.ofSeconds(3)));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(SERVICE_CHECK + " failed after 3s: HTTP 502: bad gateway", e.getMessage());
        // Waits of 250 ms, 500 ms, 1 s: the next, 2 s, would pass the 3 s deadline. A wait that did not
        // grow would retry about a dozen times. (3 s, not 1 s: a loaded machine's first request alone
        // can take a second.)
        assertTrue(!lines.isEmpty() && lines.size() <= 4, lines.toString());
        assertTrue(lines.stream().allMatch((SERVICE_CHECK + ": HTTP 502: bad gateway, retrying")::equals), lines.toString());
        // Gives up by its own deadline, not after the client's own retries of 5xx answers (about 20 s).
        assertTrue(elapsedMillis < 8000, "took " + elapsedMillis + " ms");
    }

    private static HasMetadata service(String name, String namespace) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build();
    }

    private static HasMetadata pod(String name, String namespace) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build();
    }

    @Test
    void theStepsNamespaceWinsOverTheManifests() {
        assertEquals("prod", SmokeCheck.namespaceFor(target("service/web:80"), "prod", List.of(service("web", "shop"))));
    }

    @Test
    void withoutTheStepsNamespaceTheManifestsObjectOfThatKindAndNameDecides() {
        List<HasMetadata> objects = List.of(pod("web", "other"), service("api", "api"), service("web", "shop"));
        assertEquals("shop", SmokeCheck.namespaceFor(target("service/web:80"), null, objects));
        assertEquals("other", SmokeCheck.namespaceFor(target("pod/web:8080"), null, objects));
        assertEquals("default", SmokeCheck.namespaceFor(target("service/db:5432"), null, objects));
    }

    @Test
    void theSameObjectInTwoNamespacesOfTheManifestsIsRefused() {
        ParameterException e = assertThrows(ParameterException.class, () -> SmokeCheck.namespaceFor(target("service/web:80"),
                null, List.of(service("web", "blue"), service("web", "green"), service("web", "blue"))));
        assertEquals("smokeTarget", e.parameter());
        assertTrue(e.getMessage().startsWith("smokeTarget: Service web is defined in several namespaces of the manifests "
                + "(blue, green)"), e.getMessage());
    }
}
