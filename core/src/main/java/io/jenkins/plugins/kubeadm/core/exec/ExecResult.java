package io.jenkins.plugins.kubeadm.core.exec;

import java.time.Duration;

/** How a node script ended. {@code exitStatus} is -1 when it was stopped before reporting one. */
public record ExecResult(int exitStatus, Outcome outcome, Duration elapsed) {

    public enum Outcome { COMPLETED, TIMED_OUT, CANCELLED }

    public boolean succeeded() {
        return outcome == Outcome.COMPLETED && exitStatus == 0;
    }

    /** A short human description: "exit 0", "exit 1", "timed out after PT30S", "cancelled". */
    public String describe() {
        return switch (outcome) {
            case COMPLETED -> "exit " + exitStatus;
            case TIMED_OUT -> "timed out after " + elapsed.toSeconds() + " s";
            case CANCELLED -> "cancelled";
        };
    }
}
