package io.jenkins.plugins.kubeadm.core.testnodes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian 12 test nodes on this machine: systemd-nspawn machines booted with systemd, each an overlay
 * on a cached root filesystem, with its own address on a private bridge and sshd reachable by key.
 * Guests reach Debian's mirror through NAT on the bridge. {@link #close()} removes everything it made:
 * processes, mounts, links, iptables rules; a run that crashed is cleaned up by the next one.
 *
 * <p>Needs root, debootstrap, systemd-container, iproute2, iptables and openssh-client (.ci/run installs them).
 */
public final class TestNodes implements AutoCloseable {

    /**
     * A node to boot; {@code singleCpu} pins it to one CPU (preflight tests). {@code kubeletHost} gives
     * it what only the host of a container node can give kubelet (writable cgroup controllers, the
     * /proc/sys values kubelet wants); without it the node is a badly prepared container host.
     * {@code noEtcHosts} boots it with no /etc/hosts, as debootstrap's minbase and some container
     * images leave it.
     */
    public record NodeSpec(String name, boolean singleCpu, boolean kubeletHost, boolean noEtcHosts) {
        public NodeSpec(String name, boolean singleCpu) {
            this(name, singleCpu, true, false);
        }

        public static NodeSpec of(String name) {
            return new NodeSpec(name, false, true, false);
        }

        public NodeSpec withoutEtcHosts() {
            return new NodeSpec(name, singleCpu, kubeletHost, true);
        }
    }

    /**
     * What kubelet wants in /proc/sys (it writes a value that differs and fails when it cannot). In a
     * container these are the host's, read-only: the node is shown files with these values instead,
     * so the host's own settings never change.
     */
    static final Map<String, String> KUBELET_SYSCTLS = new LinkedHashMap<>(Map.of(
            "vm/overcommit_memory", "1", "vm/panic_on_oom", "0", "kernel/panic", "10", "kernel/panic_on_oops", "1",
            "kernel/keys/root_maxkeys", "1000000", "kernel/keys/root_maxbytes", "25000000"));

    private static final Path STATE = Path.of("/var/tmp/kubeadm-pipeline-test");
    /** Tags this harness's iptables rules; the bridge name is appended so each run removes only its own. */
    static final String RULE_COMMENT = "kubeadm-pipeline-test";

    private final String bridge;
    private final String subnetPrefix;
    private final Path dir;
    private final Path clientKey;
    private final Path knownHosts;
    private final Map<String, TestNode> nodes = new LinkedHashMap<>();
    private final String originalIpForward;
    private final Thread shutdownHook;
    private boolean closed;

    private TestNodes(String bridge, String subnetPrefix, Path dir, String originalIpForward) throws IOException {
        this.bridge = bridge;
        this.subnetPrefix = subnetPrefix;
        this.dir = dir;
        this.originalIpForward = originalIpForward;
        this.clientKey = dir.resolve("id_ed25519");
        this.knownHosts = dir.resolve("known_hosts");
        Host.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "kubeadm-pipeline-test", "-f", clientKey.toString());
        Files.writeString(knownHosts, "");
        this.shutdownHook = new Thread(this::closeQuietly, "test-nodes-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static TestNodes start(String... names) throws IOException {
        return start(Stream.of(names).map(NodeSpec::of).toArray(NodeSpec[]::new));
    }

    public static TestNodes start(NodeSpec... specs) throws IOException {
        cleanUpAbandonedRuns();
        Path rootfs = RootfsCache.ensure();
        TestNodes nodes = createNetwork();
        try {
            ExecutorService pool = Executors.newFixedThreadPool(specs.length);
            List<Future<TestNode>> booting = new ArrayList<>();
            for (int i = 0; i < specs.length; i++) {
                NodeSpec spec = specs[i];
                int index = i;
                booting.add(pool.submit(() -> nodes.boot(rootfs, spec, index)));
            }
            for (Future<TestNode> f : booting) {
                TestNode n = f.get();
                nodes.nodes.put(n.name(), n);
            }
            pool.shutdown();
            return nodes;
        } catch (Exception e) {
            nodes.closeQuietly();
            throw new IOException("test nodes did not start: " + e.getMessage(), e);
        }
    }

    public TestNode node(String name) {
        return Optional.ofNullable(nodes.get(name)).orElseThrow(() -> new IllegalArgumentException("no test node " + name));
    }

    public List<TestNode> nodes() {
        return List.copyOf(nodes.values());
    }

    /** The run's bridge (kpt200..kpt249): it names the run's host-wide things (links, machine names, iptables rule comments). */
    public String bridge() {
        return bridge;
    }

    /** This machine's address on the nodes' bridge: where a test serves files to the nodes. */
    public String hostAddress() {
        return subnetPrefix + "1";
    }

    // ---- network -------------------------------------------------------------------------------

    private static TestNodes createNetwork() throws IOException {
        String routes = Host.run("ip", "-4", "route", "show");
        for (int n = 200; n < 250; n++) {
            String prefix = "10.231." + n + ".";
            String bridge = "kpt" + n;
            if (routes.contains(prefix)) {
                continue;
            }
            // Creating the link is the lock on this subnet: a concurrent run gets "exists" and moves on.
            if (!Host.attempt("ip", "link", "add", bridge, "type", "bridge").ok()) {
                continue;
            }
            Path dir = STATE.resolve(bridge);
            Host.attempt("rm", "-rf", dir.toString());
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));
            String ipForward = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
            Files.writeString(dir.resolve("ip_forward.orig"), ipForward);
            TestNodes nodes = new TestNodes(bridge, prefix, dir, ipForward);
            Host.run("ip", "addr", "add", prefix + "1/24", "dev", bridge);
            Host.run("ip", "link", "set", bridge, "up");
            Host.run("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            for (List<String> rule : rules(bridge, prefix)) {
                List<String> add = new ArrayList<>(rule);
                add.add(add.indexOf("-t") >= 0 ? 3 : 1, "-A");
                runIptables(add);
            }
            return nodes;
        }
        throw new IOException("no free test subnet in 10.231.200-249.0/24");
    }

    /** NAT to Debian's mirror and forwarding for the bridge, tagged so only ours are ever removed. */
    private static List<List<String>> rules(String bridge, String prefix) {
        String subnet = prefix + "0/24";
        return List.of(
                List.of("iptables", "-t", "nat", "POSTROUTING", "-s", subnet, "!", "-o", bridge, "-j", "MASQUERADE",
                        "-m", "comment", "--comment", RULE_COMMENT + "-" + bridge),
                List.of("iptables", "FORWARD", "-i", bridge, "-j", "ACCEPT", "-m", "comment", "--comment", RULE_COMMENT + "-" + bridge),
                List.of("iptables", "FORWARD", "-o", bridge, "-j", "ACCEPT", "-m", "comment", "--comment", RULE_COMMENT + "-" + bridge));
    }

    private static void runIptables(List<String> argv) {
        Host.Result r = Host.exec(argv, null, 60);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", argv) + ": " + r.stderr());
        }
    }

    private static void deleteNetwork(String bridge, Path dir) {
        String prefix = "10.231." + bridge.substring(3) + ".";
        for (List<String> rule : rules(bridge, prefix)) {
            List<String> del = new ArrayList<>(rule);
            del.add(del.indexOf("-t") >= 0 ? 3 : 1, "-D");
            while (Host.exec(del, null, 60).ok()) {
                // a rule added twice is deleted twice
            }
        }
        Host.attempt("ip", "link", "del", bridge);
        try {
            Path orig = dir.resolve("ip_forward.orig");
            boolean otherRuns = Host.attempt("ip", "-br", "link", "show", "type", "bridge").stdout().lines()
                    .anyMatch(l -> l.startsWith("kpt"));
            if (Files.exists(orig) && !otherRuns) {
                Host.attempt("sysctl", "-q", "-w", "net.ipv4.ip_forward=" + Files.readString(orig).trim());
            }
        } catch (IOException ignored) {
            // nothing to restore
        }
    }

    // ---- nodes ---------------------------------------------------------------------------------

    private TestNode boot(Path rootfs, NodeSpec spec, int index) throws Exception {
        String address = subnetPrefix + (11 + index);
        Path nodeDir = dir.resolve(spec.name());
        Path merged = nodeDir.resolve("merged");
        for (String d : List.of("upper", "work", "merged")) {
            Files.createDirectories(nodeDir.resolve(d));
        }
        AptArchiveCache.seed(nodeDir.resolve("upper"));
        Host.run("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + rootfs + ",upperdir=" + nodeDir.resolve("upper")
                + ",workdir=" + nodeDir.resolve("work"), merged.toString());
        Files.writeString(merged.resolve("etc/hostname"), spec.name() + "\n");
        if (spec.noEtcHosts()) {
            Files.deleteIfExists(merged.resolve("etc/hosts"));
        }
        Path ssh = merged.resolve("root/.ssh");
        Files.createDirectories(ssh, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.copy(Path.of(clientKey + ".pub"), ssh.resolve("authorized_keys"));
        // kubeadm and the identity check want each node to have its own machine-id.
        Files.writeString(merged.resolve("etc/machine-id"), java.util.UUID.randomUUID().toString().replace("-", "") + "\n");
        // containerd's overlayfs snapshotter cannot work on the node's overlay root: its state lives in a host folder.
        Path containerdState = Files.createDirectories(nodeDir.resolve("containerd"));
        Path hostKey = merged.resolve("etc/ssh/ssh_host_ed25519_key");
        Host.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", spec.name(), "-f", hostKey.toString());
        String publicKey = Files.readString(Path.of(hostKey + ".pub")).trim();
        String fingerprint = Host.run("ssh-keygen", "-l", "-f", hostKey + ".pub").split("\\s+")[1];
        synchronized (this) {
            Files.writeString(knownHosts, address + " " + publicKey + "\n", java.nio.file.StandardOpenOption.APPEND);
        }
        TestNode node = new TestNode(spec.name(), address, clientKey, knownHosts, fingerprint, nodeDir);
        // The machine name names host-wide things (the veth vb-<name>, nspawn's state under /run), so it
        // carries the run's bridge: concurrent runs may use the same node names. /etc/hostname still wins.
        // The node runs in its own cgroups (joined by a shell that then becomes nspawn: this host's
        // PID 1 is no systemd that would give nspawn a scope of its own).
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c",
                "while [ \"$1\" != -- ]; do echo $$ > \"$1\"; shift; done; shift; exec \"$@\"", "join-cgroups"));
        NodeCgroups.create(nodeDir, bridge + "-" + spec.name()).forEach(p -> argv.add(p.toString()));
        argv.add("--");
        // --capability=all: containerd, runc, kube-proxy and flanneld need the admin capabilities;
        // /dev/kmsg: kubelet's OOM watcher exits without it.
        argv.addAll(List.of("systemd-nspawn", "--boot", "--register=no", "--keep-unit", "--quiet",
                "-D", merged.toString(), "-M", bridge + "-" + spec.name(), "--network-bridge=" + bridge,
                "--capability=all", "--bind=" + containerdState + ":/var/lib/containerd"));
        if (spec.kubeletHost()) {
            argv.add("--bind=/dev/kmsg");
        }
        if (spec.singleCpu()) {
            argv.add("--cpu-affinity=0");
        }
        ProcessBuilder nspawn = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(node.consoleLog().toFile());
        // nspawn's default seccomp filter blocks the keyring calls runc makes ("unable to join session keyring").
        nspawn.environment().put("SYSTEMD_SECCOMP", "0");
        node.nspawn = nspawn.start();
        Files.writeString(nodeDir.resolve("nspawn.pid"), Long.toString(node.nspawn.pid()));
        configureGuestNetwork(node, address);
        waitForSsh(node);
        if (spec.kubeletHost()) {
            giveKubeletWhatTheHostGives(node);
        }
        return node;
    }

    /**
     * What the host of a container node provides for kubelet, done inside the node's mount namespace:
     * nspawn mounts the v1 cgroup controllers read-only (kubelet and runc create cgroups in them), and
     * the non-network /proc/sys values are the host's (kubelet wants its own; files with those values
     * are bound over them, never changing the host's).
     */
    private static void giveKubeletWhatTheHostGives(TestNode node) {
        StringBuilder script = new StringBuilder("set -e\n"
                + "for m in $(findmnt -rn -t cgroup -o TARGET); do mount -o remount,bind,rw \"$m\"; done\n"
                + "mkdir -p /run/kubeadm-pipeline-test-sysctl\n");
        KUBELET_SYSCTLS.forEach((key, value) -> script.append(String.format(
                "if [ \"$(cat /proc/sys/%1$s)\" != %2$s ]; then f=/run/kubeadm-pipeline-test-sysctl/%3$s; echo %2$s > $f;"
                        + " findmnt -rn /proc/sys/%1$s >/dev/null || mount --bind $f /proc/sys/%1$s; fi\n",
                key, value, key.replace('/', '.'))));
        node.sh(script.toString());
    }

    /** The guest's end of the veth (host0) gets its address from here, as a DHCP-less lab would have. */
    private void configureGuestNetwork(TestNode node, String address) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!node.nspawn.isAlive()) {
                throw new IllegalStateException(node.name() + ": systemd-nspawn exited: " + Files.readString(node.consoleLog()));
            }
            Optional<ProcessHandle> leader = node.nspawn.toHandle().children().findFirst();
            if (leader.isPresent()) {
                String pid = Long.toString(leader.get().pid());
                if (Host.attempt("nsenter", "-t", pid, "-n", "ip", "link", "show", "host0").ok()) {
                    Host.run("nsenter", "-t", pid, "-n", "ip", "addr", "add", address + "/24", "dev", "host0");
                    Host.run("nsenter", "-t", pid, "-n", "ip", "link", "set", "host0", "up");
                    Host.run("nsenter", "-t", pid, "-n", "ip", "route", "add", "default", "via", hostAddress());
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(node.name() + ": the guest's host0 interface did not appear within 30 s");
    }

    private static void waitForSsh(TestNode node) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Host.Result last = null;
        while (System.nanoTime() < deadline) {
            last = node.ssh("systemctl is-system-running --wait >/dev/null 2>&1; true");
            if (last.ok()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(node.name() + ": sshd not reachable at " + node.address() + " within 90 s: "
                + (last == null ? "" : last.stderr()) + "\nconsole:\n" + Files.readString(node.consoleLog()));
    }

    private static void stopNode(Path nodeDir, ProcessHandle nspawn) {
        if (nspawn != null && nspawn.isAlive()) {
            nspawn.destroy(); // SIGTERM: nspawn asks the guest's systemd for an orderly poweroff
            try {
                nspawn.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                nspawn.descendants().forEach(ProcessHandle::destroyForcibly);
                nspawn.destroyForcibly();
                try {
                    nspawn.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // reported by the mount check below
                }
            }
        }
        // Whatever still runs in the node's cgroups (containerd shims, pods) goes with them.
        NodeCgroups.remove(nodeDir);
        try {
            AptArchiveCache.harvest(nodeDir.resolve("upper"));
        } catch (RuntimeException e) {
            // Keeping packages is an optimisation: never let it stop the clean-up below.
            System.err.println("[test-nodes] warning: could not keep the downloaded packages: " + e);
        }
        // Deepest first: anything the node left mounted below its folder, then the overlay root.
        for (String mount : mountsBelow(nodeDir)) {
            Path target = Path.of(mount);
            for (int i = 0; i < 10 && isMounted(target); i++) {
                Host.attempt("umount", mount);
                if (isMounted(target)) {
                    sleep(500);
                }
            }
            if (isMounted(target)) {
                Host.attempt("umount", "-l", mount);
            }
        }
        Host.attempt("rm", "-rf", nodeDir.toString());
    }

    private static List<String> mountsBelow(Path dir) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
                    .filter(m -> m.startsWith(dir + "/")).distinct()
                    .sorted(java.util.Comparator.comparingInt(String::length).reversed()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean isMounted(Path path) {
        try {
            return Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + path + " ");
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- teardown ------------------------------------------------------------------------------

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Thread> stopping = new ArrayList<>();
        for (TestNode n : nodes.values()) {
            Thread t = new Thread(() -> stopNode(n.dir, n.nspawn == null ? null : n.nspawn.toHandle()));
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Nodes that failed while booting are not in the map: stop whatever pid files remain.
        cleanUpRun(dir);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is already shutting down
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException ignored) {
            // best effort on the way out
        }
    }

    /** Stops a run's remaining nodes and removes its network and state folder. */
    private static void cleanUpRun(Path runDir) {
        try (Stream<Path> entries = Files.list(runDir)) {
            for (Path nodeDir : entries.filter(Files::isDirectory).toList()) {
                ProcessHandle nspawn = null;
                Path pidFile = nodeDir.resolve("nspawn.pid");
                if (Files.exists(pidFile)) {
                    nspawn = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
                            .filter(h -> h.info().command().orElse("").endsWith("systemd-nspawn")).orElse(null);
                }
                stopNode(nodeDir, nspawn);
            }
        } catch (IOException ignored) {
            // already gone
        }
        deleteNetwork(runDir.getFileName().toString(), runDir);
        Host.attempt("rm", "-rf", runDir.toString());
    }

    /** Removes what a crashed or killed earlier run left behind (its owner process is gone); the lab's `down` uses it too. */
    public static void cleanUpAbandonedRuns() throws IOException {
        if (!Files.isDirectory(STATE)) {
            return;
        }
        try (Stream<Path> runs = Files.list(STATE)) {
            for (Path run : runs.filter(p -> p.getFileName().toString().startsWith("kpt")).toList()) {
                Path owner = run.resolve("owner.pid");
                boolean alive = Files.exists(owner)
                        && ProcessHandle.of(Long.parseLong(Files.readString(owner).trim())).map(ProcessHandle::isAlive).orElse(false);
                if (!alive) {
                    System.err.println("[test-nodes] cleaning up an earlier run's leftovers in " + run);
                    cleanUpRun(run);
                }
            }
        }
    }
}
