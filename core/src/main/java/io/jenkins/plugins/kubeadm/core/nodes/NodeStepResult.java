package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.exec.ExecResult;

/**
 * One node's part of a step: how the script ended, or why it could not run ({@code error}), and
 * the last error line the script printed (its one-line reason).
 */
public record NodeStepResult(String node, ExecResult result, String error, String lastErrorLine) {

    public boolean succeeded() {
        return error == null && result != null && result.succeeded();
    }

    /** "node2: exit 1: ERROR: preflight failed: ..." */
    public String describe() {
        if (error != null) {
            return node + ": " + error;
        }
        return node + ": " + result.describe() + (lastErrorLine == null ? "" : ": " + lastErrorLine);
    }
}
