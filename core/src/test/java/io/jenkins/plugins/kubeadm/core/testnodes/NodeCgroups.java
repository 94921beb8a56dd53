package io.jenkins.plugins.kubeadm.core.testnodes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A test node's own cgroup in every hierarchy of this host (v1 controllers, name=systemd and the
 * unified one), below this JVM's cgroup there. Without it the nodes' kubelets share one
 * {@code kubepods.slice} and clean up each other's pods. The paths are kept in the node's folder so
 * a later run can remove what a crashed run left.
 */
final class NodeCgroups {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    private static final String LIST_FILE = "cgroups";

    private NodeCgroups() {
    }

    /** Creates the node's cgroups and returns their cgroup.procs files, to be joined before nspawn runs. */
    static List<Path> create(Path nodeDir, String name) throws IOException {
        List<Path> created = new ArrayList<>();
        for (Hierarchy h : hierarchies()) {
            Path dir = h.mountPoint().resolve(h.ownPath().substring(1)).resolve("kubeadm-pipeline-test-" + name);
            Files.createDirectories(dir);
            if (h.controllers().contains("cpuset")) {
                // A new cpuset has no CPUs or memory nodes: no task could join it.
                Files.writeString(dir.resolve("cpuset.cpus"), Files.readString(dir.getParent().resolve("cpuset.cpus")).trim());
                Files.writeString(dir.resolve("cpuset.mems"), Files.readString(dir.getParent().resolve("cpuset.mems")).trim());
            }
            created.add(dir);
            Files.write(nodeDir.resolve(LIST_FILE), List.of(dir.toString()),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
        return created.stream().map(d -> d.resolve("cgroup.procs")).toList();
    }

    /** Kills every process still in the node's cgroups, then removes them, deepest first. */
    static void remove(Path nodeDir) {
        Path list = nodeDir.resolve(LIST_FILE);
        if (!Files.exists(list)) {
            return;
        }
        try {
            List<Path> dirs = Files.readAllLines(list).stream().filter(l -> !l.isBlank()).map(Path::of).toList();
            for (int attempt = 0; attempt < 20; attempt++) {
                List<Long> pids = pidsIn(dirs);
                if (pids.isEmpty()) {
                    break;
                }
                pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                sleep(250);
            }
            for (Path dir : dirs) {
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                List<Path> tree;
                try (Stream<Path> walk = Files.walk(dir)) {
                    tree = walk.filter(Files::isDirectory).sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
                }
                for (Path d : tree) {
                    // cgroupfs folders go with rmdir alone (their files cannot be deleted); a busy one
                    // (a process that was just exiting) gets a few more tries.
                    for (int i = 0; i < 20 && Files.isDirectory(d) && !Host.attempt("rmdir", d.toString()).ok(); i++) {
                        sleep(250);
                    }
                }
                if (Files.isDirectory(dir)) {
                    System.err.println("[test-nodes] warning: cgroup " + dir + " could not be removed");
                }
            }
        } catch (IOException e) {
            System.err.println("[test-nodes] warning: cgroups of " + nodeDir + ": " + e.getMessage());
        }
    }

    private static List<Long> pidsIn(List<Path> dirs) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path procs : walk.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                    try {
                        Files.readAllLines(procs).stream().filter(l -> !l.isBlank()).map(Long::parseLong).forEach(pids::add);
                    } catch (IOException gone) {
                        // removed while walking
                    }
                }
            }
        }
        return pids.stream().distinct().toList();
    }

    record Hierarchy(Path mountPoint, String controllers, String ownPath) {
    }

    /** Each mounted cgroup hierarchy with this process's own cgroup in it. */
    static List<Hierarchy> hierarchies() throws IOException {
        List<String> own = Files.readAllLines(Path.of("/proc/self/cgroup"));
        List<Hierarchy> result = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length < 4 || !Path.of(f[1]).startsWith(CGROUP_ROOT)) {
                continue;
            }
            String key;
            if (f[2].equals("cgroup2")) {
                key = "";
            } else if (f[2].equals("cgroup")) {
                key = Stream.of(f[3].split(",")).filter(o -> !o.equals("rw") && !o.equals("ro") && !o.startsWith("relatime")
                        && !o.startsWith("nosuid") && !o.startsWith("nodev") && !o.startsWith("noexec") && !o.equals("clone_children")
                        && !o.startsWith("release_agent") && !o.equals("xattr") && !o.equals("nsdelegate")).sorted()
                        .reduce((a, b) -> a + "," + b).orElse("");
            } else {
                continue;
            }
            String path = own.stream().map(l -> l.split(":", 3)).filter(p -> p.length == 3)
                    .filter(p -> sameControllers(p[1], key)).map(p -> p[2]).findFirst().orElse("/");
            result.add(new Hierarchy(Path.of(f[1]), key, path));
        }
        return result;
    }

    private static boolean sameControllers(String procEntry, String mountKey) {
        String sorted = Stream.of(procEntry.split(",")).filter(s -> !s.isEmpty()).sorted().reduce((a, b) -> a + "," + b).orElse("");
        return sorted.equals(mountKey);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
