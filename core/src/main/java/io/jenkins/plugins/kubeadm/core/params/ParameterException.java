package io.jenkins.plugins.kubeadm.core.params;

/**
 * Bad user input, raised before any node is touched. The message always names the parameter and
 * the accepted form; it never repeats a value that may be secret (callers pass {@code secret=true}).
 */
public class ParameterException extends IllegalArgumentException {

    private final String parameter;
    private final String problem;
    private final String acceptedForm;

    public ParameterException(String parameter, String problem, String acceptedForm) {
        super(parameter + ": " + problem + " (accepted: " + acceptedForm + ")");
        this.parameter = parameter;
        this.problem = problem;
        this.acceptedForm = acceptedForm;
    }

    /** The same refusal for a parameter the user spells otherwise, e.g. kubeadmCluster's cniVersion for applyCni's version. */
    public ParameterException renamed(String userParameter) {
        return new ParameterException(userParameter, problem, acceptedForm);
    }

    /** The name of the parameter that was rejected, as the user spells it. */
    public String parameter() {
        return parameter;
    }
}
