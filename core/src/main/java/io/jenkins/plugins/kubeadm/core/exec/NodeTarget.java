package io.jenkins.plugins.kubeadm.core.exec;

import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A node reached over SSH: a display name, address, login user (root, or a user with passwordless
 * sudo) and private key ({@link SshIdentity}: a file, or key text in memory). Serializable with an
 * in-memory key and known_hosts text, so that a Jenkins agent can be the SSH client.
 */
public record NodeTarget(String name, String host, int port, String user, SshIdentity identity, HostKeyPolicy hostKeyPolicy)
        implements java.io.Serializable {

    public NodeTarget {
        name = Validators.hostname("node name", name);
        Validators.required("host", host, "an IP address or DNS name");
        if (port < 1 || port > 65535) {
            throw new ParameterException("port", "'" + port + "' is not a port", "a TCP port number 1-65535");
        }
        if (user == null || !user.matches("[a-z_][a-z0-9_-]{0,31}")) {
            throw new ParameterException("user", "'" + user + "' is not a login name", "a POSIX user name such as root or ubuntu");
        }
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(hostKeyPolicy, "hostKeyPolicy");
    }

    /** A node logged in to with a private key file. */
    public NodeTarget(String name, String host, int port, String user, Path privateKey, HostKeyPolicy hostKeyPolicy) {
        this(name, host, port, user, new SshIdentity.KeyFile(privateKey), hostKeyPolicy);
    }

    /** Scripts run as root: through sudo when logging in as another user. */
    public boolean needsSudo() {
        return !"root".equals(user);
    }
}
