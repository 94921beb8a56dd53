package io.jenkins.plugins.kubeadm.core.cluster;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Serves the test fixture manifests (core/src/test/resources/cluster/manifests) over HTTP on
 * 127.0.0.1, so the steps' download path runs for real. {@code /redirect/NAME} answers 302 to
 * {@code /NAME}, as GitHub release downloads do.
 */
public final class ManifestServer implements AutoCloseable {

    private final HttpServer server;
    private final List<String> served = new CopyOnWriteArrayList<>();

    private final String resourceFolder;

    public ManifestServer() {
        this(InetAddress.getLoopbackAddress().getHostAddress(), "/cluster/manifests");
    }

    /** Serves the test resources in {@code resourceFolder} on an address of this machine, e.g. a test bridge. */
    public ManifestServer(String bindAddress, String resourceFolder) {
        this.resourceFolder = resourceFolder;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            served.add(path);
            if (path.startsWith("/redirect/")) {
                exchange.getResponseHeaders().add("Location", "/" + path.substring("/redirect/".length()));
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
                return;
            }
            try (InputStream in = ManifestServer.class.getResourceAsStream(resourceFolder + path)) {
                if (in == null) {
                    exchange.sendResponseHeaders(404, -1);
                } else {
                    byte[] body = in.readAllBytes();
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
            exchange.close();
        });
        server.start();
    }

    /** The URL of a fixture, e.g. {@code url("flannel.yml")}. */
    public String url(String name) {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort() + "/" + name;
    }

    /** Paths requested so far. */
    public List<String> served() {
        return served;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
