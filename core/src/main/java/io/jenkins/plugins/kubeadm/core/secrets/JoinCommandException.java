package io.jenkins.plugins.kubeadm.core.secrets;

/**
 * A join command that cannot be used. The message says what is wrong and which form was expected;
 * it never contains a value taken from the command, since any of them may be the secret.
 */
public class JoinCommandException extends IllegalArgumentException {

    public JoinCommandException(String reason) {
        super(reason);
    }
}
