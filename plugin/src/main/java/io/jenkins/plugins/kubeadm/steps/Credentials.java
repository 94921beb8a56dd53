package io.jenkins.plugins.kubeadm.steps;

import io.jenkins.plugins.kubeadm.core.params.ParameterException;

/** Validation of credential ids the steps take. */
final class Credentials {

    private Credentials() {
    }

    /** A credential id, or null when none is given (the join command's id then comes from the job). */
    static String id(String parameter, String value) {
        if (value == null) {
            return null;
        }
        if (!value.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new ParameterException(parameter, "'" + value + "' is not a credential id",
                    "letters, digits, '.', '_' and '-', such as kubeadm-join-lab");
        }
        return value;
    }
}
