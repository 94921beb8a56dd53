package io.jenkins.plugins.kubeadm.lab;

import io.jenkins.plugins.kubeadm.core.testnodes.Host;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What a running lab leaves for the next {@code ./lab} command, in one folder
 * ({@code KUBEADM_LAB_DIR}, default /var/tmp/kubeadm-pipeline-lab): the lab process's id, its log,
 * {@code lab.properties} (Jenkins, the nodes, the build) and the Jenkins home. No secret is kept here.
 */
final class LabState {

    static final String DIR_VARIABLE = "KUBEADM_LAB_DIR";
    static final Path DEFAULT_DIR = Path.of("/var/tmp/kubeadm-pipeline-lab");

    private final Path dir;

    LabState(Path dir) {
        this.dir = dir;
    }

    static LabState here() {
        String dir = System.getenv(DIR_VARIABLE);
        return new LabState(dir == null || dir.isBlank() ? DEFAULT_DIR : Path.of(dir));
    }

    Path dir() {
        return dir;
    }

    Path log() {
        return dir.resolve("lab.log");
    }

    Path jenkinsHome() {
        return dir.resolve("jenkins-home");
    }

    boolean exists() {
        return Files.isDirectory(dir);
    }

    /** The lab process, when one is recorded and still runs. */
    Optional<ProcessHandle> labProcess() {
        return recordedPid("lab.pid").flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
    }

    Optional<Long> recordedPid(String file) {
        try {
            Path p = dir.resolve(file);
            return Files.isRegularFile(p) ? Optional.of(Long.parseLong(Files.readString(p).trim())) : Optional.empty();
        } catch (IOException | NumberFormatException unreadable) {
            return Optional.empty();
        }
    }

    void recordPid(String file, long pid) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(file), Long.toString(pid));
    }

    Properties properties() {
        Properties p = new Properties();
        Path file = dir.resolve("lab.properties");
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                p.load(in);
            } catch (IOException unreadable) {
                // an empty state says as much as a broken one
            }
        }
        return p;
    }

    /** Runs a command on a lab node as root, over SSH with the lab's key and the node's pinned host key. */
    Host.Result ssh(String node, String command, byte[] stdin) {
        Properties p = properties();
        String address = List.of(p.getProperty("nodes", "").split(",")).stream().filter(n -> n.startsWith(node + "="))
                .findFirst().orElseThrow(() -> new IllegalStateException("the lab has no node " + node + " (nodes: "
                        + p.getProperty("nodes", "none yet") + ")")).substring(node.length() + 1);
        return Host.exec(List.of("ssh", "-i", p.getProperty("ssh.key"), "-o", "UserKnownHostsFile=" + p.getProperty("ssh.knownHosts"),
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "root@" + address, command), stdin, 300);
    }

    /** Adds these entries to lab.properties (written whole, then moved, so a reader never sees half of it). */
    synchronized void record(String... keysAndValues) throws IOException {
        Properties p = properties();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            p.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        Files.createDirectories(dir);
        Path tmp = dir.resolve("lab.properties.tmp");
        try (Writer out = Files.newBufferedWriter(tmp)) {
            p.store(out, "kubeadm-pipeline lab (./lab status reads this)");
        }
        Files.move(tmp, dir.resolve("lab.properties"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
