package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.exec.NodeTarget;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.security.KeyPair;
import java.time.Duration;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;

/** What the cluster ITs share: a captured console, and an SSH session held open across a step. */
final class ClusterTestSupport {

    private ClusterTestSupport() {
    }

    /** Writes to the test output and into {@code captured} (searched for secrets at the end). */
    static OutputStream consoleCapturedIn(ByteArrayOutputStream captured) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                System.out.write(b, off, len);
            }
        };
    }

    /** An authenticated root session to the node, as an admin's open terminal (started {@code client}). */
    static ClientSession heldSession(SshClient client, TestNode node) throws Exception {
        NodeTarget target = node.target();
        ClientSession held = client.connect("root", target.host(), target.port()).verify(Duration.ofSeconds(20)).getSession();
        for (KeyPair pair : target.identity().load(held)) {
            held.addPublicKeyIdentity(pair);
        }
        held.auth().verify(Duration.ofSeconds(20));
        return held;
    }

    /** An SSH client that checks the node's pinned host key. */
    static SshClient clientFor(TestNode node) {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(node.target().hostKeyPolicy().verifier());
        client.start();
        return client;
    }
}
