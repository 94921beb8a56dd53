package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Runs phases in {@link Phase#ORDER}, whatever order they come in: first every phase's check (so a
 * run that cannot finish is refused before any node is touched), then each phase, announced when
 * there are several. A failing phase ends the run; the phases are idempotent, so running it again
 * finishes the job.
 */
public final class PhaseRunner {

    private PhaseRunner() {
    }

    /**
     * Refuses, before any node is touched, phases that cannot run together: one that needs what no
     * earlier phase of the run makes and the run was not given.
     *
     * @throws ParameterException for the parameter {@code phases}
     */
    public static void check(List<Phase> phases, Set<Phase.Handoff> given) {
        for (Phase phase : phases) {
            Phase.Handoff needs = phase.needs();
            if (needs != null && !given.contains(needs) && !phases.subList(0, phases.indexOf(phase)).contains(needs.madeBy())) {
                throw new ParameterException("phases", "has " + phase.id() + " without " + needs.madeBy().id(),
                        needs.madeBy().id() + " with " + phase.id() + ": " + needs.description()
                                + " " + needs.madeBy().step() + " makes stays in this run's memory");
            }
        }
    }

    public static void run(List<? extends ClusterPhase> phases, PhaseContext context) {
        List<ClusterPhase> ordered = new ArrayList<>(phases);
        ordered.sort(Comparator.comparingInt(p -> Phase.ORDER.indexOf(p.phase())));
        List<Phase> kinds = ordered.stream().map(ClusterPhase::phase).toList();
        if (kinds.size() > 1 && kinds.stream().anyMatch(Phase.MAINTENANCE::contains)) {
            throw new IllegalArgumentException("a phase that changes a running cluster (" + Phase.MAINTENANCE.stream().map(Phase::step).toList()
                    + ") runs alone, not with " + kinds.stream().map(Phase::step).toList());
        }
        for (int i = 1; i < kinds.size(); i++) {
            if (kinds.get(i) == kinds.get(i - 1)) {
                throw new IllegalArgumentException("the phase " + kinds.get(i).id() + " is listed twice");
            }
        }
        check(kinds, context.joinCommand() != null ? EnumSet.of(Phase.Handoff.JOIN_COMMAND) : EnumSet.noneOf(Phase.Handoff.class));
        for (ClusterPhase phase : ordered) {
            if (ordered.size() > 1) {
                context.say("==> " + phase.phase().step());
            }
            phase.run(context);
        }
    }
}
