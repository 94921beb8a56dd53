package io.jenkins.plugins.kubeadm.core.testnodes;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * pkgs.k8s.io cannot be reached here, so tests serve a signed apt repository of the same layout
 * ({@code /core:/stable:/v<minor>/deb/} with InRelease and Release.key) from this machine's bridge
 * address. Its kubelet/kubeadm/kubectl packages hold the stand-ins under src/test/resources/standins,
 * or, for the real-cluster tests, are the real packages of the {@link KubernetesTestBed}.
 */
public final class StandInAptRepository implements AutoCloseable {

    private final Path root;
    private final HttpServer server;
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    private StandInAptRepository(Path root, HttpServer server) {
        this.root = root;
        this.server = server;
    }

    /**
     * @param versions Debian package versions such as 1.34.1-1.1; each lands in its minor's repository
     */
    public static StandInAptRepository serve(String bindAddress, List<String> versions) throws IOException {
        return serve(bindAddress, versions, Map.of());
    }

    /**
     * @param versions Debian package versions of stand-in packages, such as 1.34.1-1.1
     * @param realPackages real .debs (e.g. {@link KubernetesTestBed#debs()}) by the minor whose
     *        repository serves them, such as 1.26
     */
    public static StandInAptRepository serve(String bindAddress, List<String> versions, Map<String, List<Path>> realPackages) throws IOException {
        Path root = Files.createTempDirectory("stand-in-apt");
        Path gnupg = Files.createDirectory(root.resolve("gnupg"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        gpg(gnupg, "--quick-gen-key", "kubeadm-pipeline test repository <test@kubeadm-pipeline.invalid>", "rsa2048", "sign", "never");
        String arch = Host.run("dpkg", "--print-architecture").trim();
        List<String> minors = java.util.stream.Stream.concat(versions.stream().map(StandInAptRepository::minorOf), realPackages.keySet().stream())
                .distinct().toList();
        for (String minor : minors) {
            Path repo = Files.createDirectories(root.resolve("www/core:/stable:/v" + minor + "/deb"));
            for (String version : versions.stream().filter(v -> minorOf(v).equals(minor)).toList()) {
                for (String pkg : List.of("kubelet", "kubeadm", "kubectl")) {
                    buildPackage(root.resolve("build"), repo, pkg, version, arch);
                }
            }
            for (Path deb : realPackages.getOrDefault(minor, List.of())) {
                // A hard link when the cache shares the file system: no copy of 100 MB per run.
                Path target = repo.resolve(deb.getFileName());
                try {
                    Files.createLink(target, deb);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(deb, target);
                }
            }
            Host.Result packages = execIn(repo, "apt-ftparchive", "packages", ".");
            Files.writeString(repo.resolve("Packages"), packages.stdout());
            Host.Result release = execIn(repo, "apt-ftparchive", "release", ".");
            Files.writeString(repo.resolve("Release"), release.stdout());
            gpg(gnupg, "--clearsign", "-o", repo.resolve("InRelease").toString(), repo.resolve("Release").toString());
            gpg(gnupg, "--armor", "--output", repo.resolve("Release.key").toString(), "--export");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, 0), 16);
        StandInAptRepository repository = new StandInAptRepository(root, server);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            repository.requests.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            Path file = root.resolve("www").resolve(path.substring(1)).normalize();
            if (!file.startsWith(root.resolve("www")) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, Files.size(file));
            try (OutputStream out = exchange.getResponseBody()) {
                Files.copy(file, out);
            }
        });
        server.start();
        return repository;
    }

    /** The repository URL for a minor, as the nodes see it (KUBERNETES_APT_REPO). */
    public String repoUrl(String minor) {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/core:/stable:/v" + minor + "/deb/";
    }

    /** How often a path (e.g. the key) was fetched. */
    public int requestCount(String urlPath) {
        AtomicInteger n = requests.get(urlPath);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        server.stop(0);
        Host.attempt("rm", "-rf", root.toString());
    }

    private static String minorOf(String version) {
        String[] parts = version.split("[.-]");
        return parts[0] + "." + parts[1];
    }

    private static void buildPackage(Path buildRoot, Path repo, String pkg, String version, String arch) throws IOException {
        String upstream = version.substring(0, version.indexOf('-'));
        Path tree = buildRoot.resolve(pkg + "_" + version);
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.createDirectories(tree.resolve("usr/bin"));
        Path binary = tree.resolve("usr/bin/" + pkg);
        Files.writeString(binary, standIn(pkg).replace("@VERSION@", upstream));
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (pkg.equals("kubelet")) {
            Path units = Files.createDirectories(tree.resolve("usr/lib/systemd/system/kubelet.service.d"));
            Files.writeString(units.getParent().resolve("kubelet.service"), standIn("kubelet.service"));
            Files.writeString(units.resolve("10-kubeadm.conf"), standIn("10-kubeadm.conf"));
        }
        Files.writeString(tree.resolve("DEBIAN/control"), String.join("\n",
                "Package: " + pkg,
                "Version: " + version,
                "Architecture: " + arch,
                "Maintainer: kubeadm-pipeline tests <test@kubeadm-pipeline.invalid>",
                "Section: admin",
                "Priority: optional",
                "Description: TEST STAND-IN for " + pkg + " " + upstream + " (never shipped)",
                ""));
        Host.run("dpkg-deb", "--root-owner-group", "-Zgzip", "--build", tree.toString(),
                repo.resolve(pkg + "_" + version + "_" + arch + ".deb").toString());
    }

    private static String standIn(String name) throws IOException {
        try (InputStream in = StandInAptRepository.class.getResourceAsStream("/standins/kubernetes/" + name)) {
            if (in == null) {
                throw new IOException("missing stand-in " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Host.Result execIn(Path dir, String... argv) {
        List<String> cmd = List.of("bash", "-c", "cd \"$1\" && shift && exec \"$@\"", "execIn", dir.toString());
        List<String> all = new java.util.ArrayList<>(cmd);
        all.addAll(List.of(argv));
        Host.Result r = Host.exec(all, null, 120);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", argv) + " failed: " + r.stderr());
        }
        return r;
    }

    private static void gpg(Path home, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("gpg", "--homedir", home.toString(), "--batch", "--yes",
                "--pinentry-mode", "loopback", "--passphrase", ""));
        argv.addAll(List.of(args));
        Host.Result r = Host.exec(argv, null, 120);
        if (!r.ok()) {
            throw new IllegalStateException("gpg " + String.join(" ", args) + " failed: " + r.stderr());
        }
    }
}
