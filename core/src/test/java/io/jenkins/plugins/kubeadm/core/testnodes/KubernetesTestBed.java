package io.jenkins.plugins.kubeadm.core.testnodes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The real Kubernetes v1.26.1 test bed, made once from the shared binaries archive by
 * {@code src/test/resources/testbed/build-k8s-testbed.sh} and cached outside the checkout in
 * {@code /var/cache/kubeadm-pipeline-test/k8s-<sha256 of the archive and the recipe>}: .debs for the
 * apt repository, and a docker-registry storage folder holding the images. It also holds a second
 * release, {@link #UPGRADE_VERSION}, for upgrade tests: the same binaries with their version string
 * changed (no newer release can be had here), as kubelet/kubeadm/kubectl .debs of their own and
 * control-plane and kube-proxy images beside v1.26.1's in the registry.
 */
public final class KubernetesTestBed {

    public static final String KUBERNETES_VERSION = "1.26.1";
    public static final String DEB_VERSION = "1.26.1-1.1";
    /** The release upgrade tests move to (same minor: etcd, CoreDNS and pause images stay). */
    public static final String UPGRADE_VERSION = "1.26.2";
    public static final String UPGRADE_DEB_VERSION = "1.26.2-1.1";
    public static final String ETCD_TAG = "3.5.16-0";
    public static final String COREDNS_TAG = "v1.13.1";
    /**
     * The same CoreDNS under the tag kubeadm 1.26 pins: a cluster the upgrade test moves to {@link
     * #UPGRADE_VERSION} runs it, as kubeadm upgrade apply migrates CoreDNS's configuration only from
     * versions it knows (from v1.13.1 it stops after the control plane with "start version not supported").
     */
    public static final String UPGRADABLE_COREDNS_TAG = "v1.9.3";
    public static final String PAUSE_TAG = "3.9";
    /** The Flannel release the test bed has images for; the tests choose it from the shipped catalog. */
    public static final String FLANNEL_VERSION = "v0.20.2";
    public static final String FLANNEL_IMAGE = "docker.io/rancher/mirrored-flannelcni-flannel:v0.20.2";
    public static final String FLANNEL_CNI_PLUGIN_IMAGE = "docker.io/rancher/mirrored-flannelcni-flannel-cni-plugin:v1.1.0";
    /** busybox httpd on port 8080; also has sh, wget and nslookup for checks from pods. */
    public static final String WEB_IMAGE = "docker.io/kubeadm-pipeline-test/web:1.0";

    /**
     * Where the binaries come from: -Dkubeadm.test.k8sArchive, else the archive in KUBERNETES_KIT (the
     * folder .ci/run points at ../shared/k8s), else ../shared/k8s beside the repository.
     */
    static final Path ARCHIVE = archive();
    private static final List<String> RECIPE = List.of("build-k8s-testbed.sh", "kubelet.service", "10-kubeadm.conf");

    private final Path dir;

    private static Path archive() {
        String property = System.getProperty("kubeadm.test.k8sArchive");
        if (property != null) {
            return Path.of(property);
        }
        String kit = System.getenv("KUBERNETES_KIT");
        // Maven runs the tests in core/, so the repository's parent is two levels up.
        Path folder = kit != null ? Path.of(kit) : Path.of("..", "..", "shared", "k8s").toAbsolutePath().normalize();
        return folder.resolve("kubernetes-1.26.1-bin.tar.xz");
    }

    private KubernetesTestBed(Path dir) {
        this.dir = dir;
    }

    /** Builds the test bed unless the cache has it; prints each phase's time when it builds. */
    public static KubernetesTestBed ensure() throws IOException {
        if (!Files.isRegularFile(ARCHIVE)) {
            throw new IOException("the Kubernetes binaries archive " + ARCHIVE + " is missing (set KUBERNETES_KIT to the folder"
                    + " holding it, as .ci/run does with ../shared/k8s, or -Dkubeadm.test.k8sArchive)");
        }
        Files.createDirectories(RootfsCache.CACHE);
        long start = System.nanoTime();
        String key = cacheKey();
        Path dir = RootfsCache.CACHE.resolve("k8s-" + key);
        try (FileChannel lockFile = FileChannel.open(RootfsCache.CACHE.resolve("k8s.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            if (Files.isRegularFile(dir.resolve(".done"))) {
                // Marks it in use: removeOtherVersions keeps the most recently used other build.
                Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis()));
                System.err.printf("[test-bed] cached in %s (key computed in %d ms)%n", dir, (System.nanoTime() - start) / 1_000_000);
                return new KubernetesTestBed(dir);
            }
            Path recipe = Files.createTempDirectory("k8s-testbed-recipe");
            Path building = RootfsCache.CACHE.resolve("k8s-" + key + ".tmp");
            try {
                for (String name : RECIPE) {
                    Files.write(recipe.resolve(name), resource(name));
                }
                Host.attempt("rm", "-rf", building.toString());
                System.err.println("[test-bed] building the Kubernetes " + KUBERNETES_VERSION + " test bed in " + dir + " (once)");
                Process p = new ProcessBuilder("bash", recipe.resolve("build-k8s-testbed.sh").toString(), ARCHIVE.toString(), building.toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
                if (p.waitFor() != 0) {
                    throw new IOException("building the Kubernetes test bed failed (exit " + p.exitValue() + "), see the output above");
                }
                Files.writeString(building.resolve(".done"), key + "\n");
                Files.move(building, dir);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while building the test bed", e);
            } finally {
                Host.attempt("rm", "-rf", recipe.toString());
                Host.attempt("rm", "-rf", building.toString());
            }
            System.err.printf("[test-bed] built in %d s%n", (System.nanoTime() - start) / 1_000_000_000);
            removeOtherVersions(dir);
            return new KubernetesTestBed(dir);
        }
    }

    /** The .debs: kubelet, kubeadm, kubectl, cri-tools, kubernetes-cni. */
    public List<Path> debs() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("debs"))) {
            return files.filter(f -> f.toString().endsWith(".deb")).sorted().toList();
        }
    }

    /**
     * The upgrade release's kubelet, kubeadm and kubectl ({@link #UPGRADE_DEB_VERSION}); serve them in
     * the same minor's repository as {@link #debs()}, which has the cri-tools and kubernetes-cni they need.
     */
    public List<Path> upgradeDebs() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("debs-" + UPGRADE_VERSION))) {
            return files.filter(f -> f.toString().endsWith(".deb")).sorted().toList();
        }
    }

    /** The docker-registry storage folder with every test image (both releases' control planes). */
    public Path registryStorage() {
        return dir.resolve("registry");
    }

    public Path dir() {
        return dir;
    }

    private static String cacheKey() throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(ARCHIVE)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
            for (String name : RECIPE) {
                sha.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(resource(name));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = KubernetesTestBed.class.getResourceAsStream("/testbed/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /testbed/" + name);
            }
            return in.readAllBytes();
        }
    }

    /**
     * Older builds (another archive or recipe) only take disk space; the newest of them stays, as a
     * checkout of another branch may be using it right now.
     */
    private static void removeOtherVersions(Path keep) throws IOException {
        List<Path> others;
        try (Stream<Path> entries = Files.list(RootfsCache.CACHE)) {
            others = entries.filter(p -> p.getFileName().toString().startsWith("k8s-") && !p.equals(keep) && Files.isDirectory(p)
                    && !p.getFileName().toString().endsWith(".tmp")).sorted(Comparator.comparing(KubernetesTestBed::modified).reversed())
                    .toList();
        }
        for (Path old : others.subList(Math.min(1, others.size()), others.size())) {
            Host.attempt("rm", "-rf", old.toString());
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
