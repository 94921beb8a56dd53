package io.jenkins.plugins.kubeadm.core.testnodes;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * A Debian 12 root filesystem made once with debootstrap and kept outside the checkout; every test
 * node is an overlay on top of it. Bump {@link #VERSION} when the package list changes.
 */
final class RootfsCache {

    static final Path CACHE = Path.of("/var/cache/kubeadm-pipeline-test");
    private static final String VERSION = "bookworm-1";
    /**
     * What a minimal cloud or lab Debian has (containerd, curl and gpg are left to installRuntime), plus
     * a Java runtime so a node can be a Jenkins SSH build agent.
     */
    private static final String PACKAGES = "systemd,systemd-sysv,dbus,iproute2,openssh-server,ca-certificates,procps,kmod,sudo,iptables,"
            + "openjdk-17-jre-headless";
    private static final String MIRROR = "http://deb.debian.org/debian";

    private RootfsCache() {
    }

    static Path ensure() throws IOException {
        Files.createDirectories(CACHE);
        // Keyed by content: another package list is another root filesystem.
        String key = VERSION + "-" + Integer.toHexString(PACKAGES.hashCode());
        Path rootfs = CACHE.resolve("rootfs-" + key);
        try (FileChannel lockFile = FileChannel.open(CACHE.resolve("rootfs.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            if (Files.isRegularFile(rootfs.resolve("etc/os-release"))) {
                return rootfs;
            }
            Path tmp = CACHE.resolve("rootfs-" + key + ".tmp");
            Host.attempt("rm", "-rf", tmp.toString());
            System.err.println("[test-nodes] creating the Debian 12 root filesystem with debootstrap (about a minute, once)");
            Host.run("debootstrap", "--variant=minbase", "--include=" + PACKAGES, "bookworm", tmp.toString(), MIRROR);
            // Each node must get its own machine-id and SSH host keys.
            Files.writeString(tmp.resolve("etc/machine-id"), "");
            Files.deleteIfExists(tmp.resolve("var/lib/dbus/machine-id"));
            try (Stream<Path> keys = Files.list(tmp.resolve("etc/ssh"))) {
                for (Path hostKey : keys.filter(p -> p.getFileName().toString().startsWith("ssh_host_")).toList()) {
                    Files.delete(hostKey);
                }
            }
            Files.deleteIfExists(tmp.resolve("etc/hostname"));
            Files.move(tmp, rootfs);
            return rootfs;
        }
    }
}
