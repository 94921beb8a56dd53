package io.jenkins.plugins.kubeadm.steps;

import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.credentials.JoinCommandCredential;

/** Validation of credential ids the steps take. */
final class Credentials {

    private Credentials() {
    }

    /** A credential id, or the join command's default for none. */
    static String id(String parameter, String value) {
        if (value == null) {
            return JoinCommandCredential.DEFAULT_ID;
        }
        if (!value.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new ParameterException(parameter, "'" + value + "' is not a credential id",
                    "letters, digits, '.', '_' and '-', such as " + JoinCommandCredential.DEFAULT_ID);
        }
        return value;
    }
}
