package io.jenkins.plugins.kubeadm.core.testnodes;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian packages the nodes downloaded (containerd, runc, conntrack...), kept outside the checkout
 * and handed to every new node's apt cache, so each test does not fetch them again. apt checks each
 * file against the repository's index before using it, and fetches a package whose file does not
 * match. Packages of our test apt repository are left out (they are rebuilt per run).
 */
final class AptArchiveCache {

    private static final Path CACHE = RootfsCache.CACHE.resolve("apt-archives-bookworm");
    private static final String ARCHIVES = "var/cache/apt/archives";
    private static final Pattern TEST_PACKAGES = Pattern.compile("(kubelet|kubeadm|kubectl|cri-tools|kubernetes-cni)_.*");

    private AptArchiveCache() {
    }

    /** Puts the cached packages into a node's overlay upper folder before it is mounted (hard links). */
    static void seed(Path upper) throws IOException {
        if (!Files.isDirectory(CACHE)) {
            return;
        }
        Path archives = Files.createDirectories(upper.resolve(ARCHIVES));
        try (Stream<Path> debs = Files.list(CACHE)) {
            for (Path deb : debs.filter(p -> p.getFileName().toString().endsWith(".deb")).toList()) {
                Path target = archives.resolve(deb.getFileName());
                try {
                    Files.createLink(target, deb);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(deb, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * Keeps the Debian packages a stopped node downloaded. Synchronized: nodes stop in parallel, and a
     * JVM may hold the file lock (which guards against other runs) only once at a time.
     */
    static synchronized void harvest(Path upper) {
        Path archives = upper.resolve(ARCHIVES);
        if (!Files.isDirectory(archives)) {
            return;
        }
        try {
            Files.createDirectories(CACHE);
            try (FileChannel lockFile = FileChannel.open(RootfsCache.CACHE.resolve("apt-archives.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockFile.lock(); Stream<Path> debs = Files.list(archives)) {
                for (Path deb : debs.filter(p -> p.getFileName().toString().endsWith(".deb")
                        && !TEST_PACKAGES.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)).toList()) {
                    Path cached = CACHE.resolve(deb.getFileName());
                    if (Files.exists(cached)) {
                        continue;
                    }
                    Path tmp = CACHE.resolve(deb.getFileName() + ".tmp");
                    Files.copy(deb, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            System.err.println("[test-nodes] warning: could not keep the downloaded packages: " + e.getMessage());
        }
    }
}
