package io.jenkins.plugins.kubeadm.core.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * fabric8's mock API server in CRUD mode, with the two things a real API server does that the
 * mock does not: a server-side apply of an object that does not exist yet creates it (the mock
 * answers 404), and RBAC can deny a request with 403 and a Status naming the verb.
 */
public final class ApiServerStandIn implements AutoCloseable {

    /** Reads JSON and YAML bodies alike (an apply body may be either). */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private record Denial(String method, String pathPrefix, String verb, String resource) {
    }

    private final Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    private final KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(expectations);
    private final List<Denial> denials = new CopyOnWriteArrayList<>();
    private final List<String> requestLog = new CopyOnWriteArrayList<>();
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    /** The server's URL in {@link #kubeconfig()}. */
    private final String serverUrl;

    public ApiServerStandIn() {
        this(null);
    }

    /** Listening on {@code address} (a test network's host address, for nodes to reach), or on localhost for null. */
    public ApiServerStandIn(java.net.InetAddress address) {
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return handle(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations, dispatcher, false);
        if (address == null) {
            server.init();
        } else {
            server.init(address, 0);
        }
        client = server.createClient();
        serverUrl = address == null ? client.getConfiguration().getMasterUrl()
                : "http://" + address.getHostAddress() + ":" + server.getPort() + "/";
    }

    /** A client with full rights: the test uses it to set up the cluster and to play its controllers. */
    public KubernetesClient admin() {
        return client;
    }

    KubernetesMockServer server() {
        return server;
    }

    private final String token = "standin-" + java.util.UUID.randomUUID();

    /** The kubeconfig's bearer token: random per server, so a leak search can look for it. */
    public String token() {
        return token;
    }

    /** The kubeconfig a user would hand to a step to reach this server. */
    public String kubeconfig() {
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: standin\n  cluster:\n    server: "
                + serverUrl + "\n    insecure-skip-tls-verify: true\n"
                + "users:\n- name: admin\n  user:\n    token: " + token + "\n"
                + "contexts:\n- name: standin\n  context:\n    cluster: standin\n    user: admin\n"
                + "current-context: standin\n";
    }

    /** From now on, requests with this method whose path starts with the prefix are denied like RBAC does. */
    void deny(String method, String pathPrefix, String verb, String resource) {
        denials.add(new Denial(method.toUpperCase(Locale.ROOT), pathPrefix, verb, resource));
    }

    /** Method and path of every request served, in order. */
    List<String> requests() {
        return requestLog;
    }

    private MockResponse handle(RecordedRequest request) {
        requestLog.add(request.getMethod() + " " + request.getPath());
        for (Denial denial : denials) {
            if (denial.method.equals(request.getMethod()) && request.getPath().startsWith(denial.pathPrefix)) {
                return forbidden(request, denial);
            }
        }
        String contentType = request.getHeader("Content-Type");
        if ("PATCH".equals(request.getMethod()) && contentType != null && contentType.startsWith("application/apply-patch")) {
            String path = request.getPath();
            String objectPath = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            MockResponse existing = crud.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, objectPath,
                    request.getHeaders(), new Buffer()));
            byte[] applied = request.getBody().getBytes();
            if (existing.code() == 404) {
                String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
                return crud.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.POST, collection,
                        jsonHeaders(request), new Buffer(applied)));
            }
            // An apply that changes nothing leaves the object (and its resourceVersion) alone, as a real
            // API server does; anything else is merged into the stored object with RFC 7386 semantics
            // (lists replaced, not appended to as the mock's own merge does) and stored with a PUT.
            JsonNode current = readTree(existing.getBody().getBytes());
            JsonNode merged = mergePatch(current.deepCopy(), readTree(applied));
            if (merged.equals(current)) {
                return existing;
            }
            return crud.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.PUT, objectPath, jsonHeaders(request),
                    new Buffer(merged.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        }
        return crud.dispatch(request);
    }

    private static Headers jsonHeaders(RecordedRequest request) {
        return request.getHeaders().newBuilder().set("Content-Type", "application/json").build();
    }

    private static JsonNode readTree(byte[] body) {
        try {
            return YAML.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** RFC 7386 JSON merge patch, enough to tell whether an apply would change anything. */
    private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target.isObject() ? (ObjectNode) target : YAML.createObjectNode();
        patch.fields().forEachRemaining(field -> {
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                JsonNode old = result.get(field.getKey());
                result.set(field.getKey(), mergePatch(old == null ? YAML.createObjectNode() : old, field.getValue()));
            }
        });
        return result;
    }

    private static MockResponse forbidden(RecordedRequest request, Denial denial) {
        String path = request.getPath();
        String namespace = null;
        int at = path.indexOf("/namespaces/");
        if (at >= 0) {
            String rest = path.substring(at + "/namespaces/".length());
            namespace = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        }
        String message = denial.resource + " is forbidden: User \"ci-deployer\" cannot " + denial.verb
                + " resource \"" + denial.resource + "\"" + (namespace == null ? " at the cluster scope"
                : " in the namespace \"" + namespace + "\"");
        String body = Serialization.asJson(new StatusBuilder().withKind("Status").withApiVersion("v1")
                .withStatus("Failure").withCode(403).withReason("Forbidden").withMessage(message).build());
        return new MockResponse().setResponseCode(403).setHeader("Content-Type", "application/json").setBody(body);
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
