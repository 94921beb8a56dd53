package io.jenkins.plugins.kubeadm.core.testnodes;

import io.jenkins.plugins.kubeadm.core.exec.HostKeyPolicy;
import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One booted Debian node. Assertions use OpenSSH's own client ({@link #ssh}), independent of the
 * project's runner under test ({@link #runner}).
 */
public final class TestNode {

    private final String name;
    private final String address;
    private final Path clientKey;
    private final Path knownHosts;
    private final String hostKeyFingerprint;
    final Path dir;
    Process nspawn;

    TestNode(String name, String address, Path clientKey, Path knownHosts, String hostKeyFingerprint, Path dir) {
        this.name = name;
        this.address = address;
        this.clientKey = clientKey;
        this.knownHosts = knownHosts;
        this.hostKeyFingerprint = hostKeyFingerprint;
        this.dir = dir;
    }

    public String name() {
        return name;
    }

    public String address() {
        return address;
    }

    /** How the project's SSH runner reaches this node: root, the harness key, the pinned host key. */
    public NodeTarget target() {
        return new NodeTarget(name, address, 22, "root", clientKey, new HostKeyPolicy.PinnedFingerprint(hostKeyFingerprint));
    }

    public SshScriptRunner runner() {
        return new SshScriptRunner(target());
    }

    /** The harness's private key, which root on every node accepts. */
    public Path clientKey() {
        return clientKey;
    }

    /** An OpenSSH known_hosts file listing every node of the harness. */
    public Path knownHosts() {
        return knownHosts;
    }

    /** Runs a root command on the node with the OpenSSH client. */
    public Host.Result ssh(String command) {
        return ssh(command, null);
    }

    public Host.Result ssh(String command, byte[] stdin) {
        List<String> argv = new ArrayList<>(List.of("ssh", "-i", clientKey.toString(), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "ConnectTimeout=5",
                "-o", "LogLevel=ERROR", "root@" + address, command));
        return Host.exec(argv, stdin, 600);
    }

    /** Runs a root command that must succeed; returns its standard output. */
    public String sh(String command) {
        Host.Result r = ssh(command);
        if (!r.ok()) {
            throw new AssertionError(name + ": '" + command + "' failed with exit " + r.exitStatus() + ": " + r.stderr() + r.stdout());
        }
        return r.stdout();
    }

    /** The node's console (systemd boot messages), for diagnosing a node that does not come up. */
    public Path consoleLog() {
        return dir.resolve("console.log");
    }

    @Override
    public String toString() {
        return name + "@" + address;
    }
}
