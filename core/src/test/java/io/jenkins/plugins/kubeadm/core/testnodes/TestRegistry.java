package io.jenkins.plugins.kubeadm.core.testnodes;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's docker-registry serving the test bed's images read-only on the nodes' bridge (plain
 * HTTP), so nodes pull images as real nodes do: by kubeadm's imageRepository, or through a containerd
 * registry mirror for docker.io and registry.k8s.io names.
 */
public final class TestRegistry implements AutoCloseable {

    public static final int PORT = 5000;

    private final Process process;
    private final Path dir;
    private final String hostPort;

    private TestRegistry(Process process, Path dir, String hostPort) {
        this.process = process;
        this.dir = dir;
        this.hostPort = hostPort;
    }

    public static TestRegistry serve(String bindAddress, Path storage) throws IOException {
        Path dir = Files.createTempDirectory("test-registry");
        String hostPort = bindAddress + ":" + PORT;
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n",
                "version: 0.1",
                "log:",
                "  level: warn",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + storage,
                "  maintenance:",
                "    readonly:",
                "      enabled: true",
                "    uploadpurging:",
                "      enabled: false",
                "http:",
                "  addr: " + hostPort,
                ""));
        Process process = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        TestRegistry registry = new TestRegistry(process, dir, hostPort);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = Files.readString(dir.resolve("registry.log"));
                registry.close();
                throw new IOException("docker-registry exited: " + log);
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return registry;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                registry.close();
                throw new IOException("interrupted", e);
            }
            sleep();
        }
        registry.close();
        throw new IOException("docker-registry did not answer at http://" + hostPort + "/v2/ within 30 s");
    }

    /** HOST:PORT, e.g. for kubeadm's imageRepository. */
    public String hostPort() {
        return hostPort;
    }

    /** http://HOST:PORT, for a containerd registry mirror. */
    public String url() {
        return "http://" + hostPort;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Host.attempt("rm", "-rf", dir.toString());
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
