package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The containers of a rollout's pods that cannot pull their image. kubelet retries a failed pull
 * with backoff (ErrImagePull, then ImagePullBackOff), so a single failure may still heal; one that
 * lasts the grace period is taken as final, and the rollout fails without waiting out its timeout.
 * Only images the workload's current pod template asks for count: an older revision's pods that
 * cannot pull theirs do not decide whether this rollout can finish.
 */
final class ImagePullFailures {

    /** The waiting reasons kubelet gives a container whose image it cannot pull. */
    static final Set<String> REASONS = Set.of("ErrImagePull", "ImagePullBackOff");

    /** A workload still rolling out, as the API server has it now, and the pods its selector matches. */
    record RollingOut(HasMetadata workload, List<Pod> pods) {
    }

    /**
     * @param failure   the rollout's failure, naming pod, container, image, reason and kubelet's message; or null
     * @param recheckIn when a failing pull's grace period ends, if one is failing but not yet for that long; or null
     */
    record Verdict(String failure, Duration recheckIn) {
    }

    private record Failing(String key, String pod, String container, String image, String reason, String message) {
    }

    private final Duration grace;
    /** When this wait first saw each container failing ({@code namespace/pod/container}), by System.nanoTime(). */
    private final Map<String, Long> failingSince = new HashMap<>();

    ImagePullFailures(Duration grace) {
        this.grace = grace;
    }

    /** Called at each evaluation of the wait, with every workload still rolling out. */
    Verdict check(List<RollingOut> rollingOut, long nowNanos) {
        List<Failing> failing = new ArrayList<>();
        for (RollingOut r : rollingOut) {
            PodSpec template = templateOf(r.workload());
            if (template == null) {
                continue;
            }
            r.pods().stream().sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                    .forEach(pod -> failing.addAll(failingIn(pod, template)));
        }
        Map<String, Failing> now = new LinkedHashMap<>();
        failing.forEach(f -> now.putIfAbsent(f.key(), f));
        // A container that pulled its image, or a pod that is gone, starts a new grace period if it fails again.
        failingSince.keySet().retainAll(now.keySet());
        now.keySet().forEach(key -> failingSince.putIfAbsent(key, nowNanos));

        long nextEnd = Long.MAX_VALUE;
        for (Failing f : now.values()) {
            long end = failingSince.get(f.key()) + grace.toNanos();
            if (end <= nowNanos) {
                return new Verdict(f.pod() + ": " + f.container() + " has not been able to pull image " + f.image()
                        + " for " + grace.toSeconds() + "s" + Diagnosis.reason(f.reason(), f.message()), null);
            }
            nextEnd = Math.min(nextEnd, end);
        }
        return new Verdict(null, nextEnd == Long.MAX_VALUE ? null : Duration.ofNanos(nextEnd - nowNanos));
    }

    private static List<Failing> failingIn(Pod pod, PodSpec template) {
        List<Failing> failing = new ArrayList<>();
        if (pod.getStatus() == null) {
            return failing;
        }
        String name = "pod " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        addFailing(failing, name, "init container ", pod.getStatus().getInitContainerStatuses(),
                pod.getSpec() == null ? null : pod.getSpec().getInitContainers(), template.getInitContainers());
        addFailing(failing, name, "container ", pod.getStatus().getContainerStatuses(),
                pod.getSpec() == null ? null : pod.getSpec().getContainers(), template.getContainers());
        return failing;
    }

    private static void addFailing(List<Failing> failing, String pod, String label, List<ContainerStatus> statuses,
                                   List<Container> podContainers, List<Container> templateContainers) {
        if (statuses == null) {
            return;
        }
        for (ContainerStatus s : statuses) {
            var waiting = s.getState() == null ? null : s.getState().getWaiting();
            if (waiting == null || !REASONS.contains(waiting.getReason())) {
                continue;
            }
            String image = imageOf(podContainers, s.getName());
            if (image == null) {
                image = s.getImage();
            }
            if (image == null || !image.equals(imageOf(templateContainers, s.getName()))) {
                continue;
            }
            failing.add(new Failing(pod + "/" + s.getName(), pod, label + s.getName(), image, waiting.getReason(),
                    waiting.getMessage()));
        }
    }

    private static String imageOf(List<Container> containers, String name) {
        if (containers == null) {
            return null;
        }
        return containers.stream().filter(c -> name.equals(c.getName())).map(Container::getImage).findFirst().orElse(null);
    }

    private static PodSpec templateOf(HasMetadata workload) {
        PodTemplateSpec template = null;
        if (workload instanceof Deployment d && d.getSpec() != null) {
            template = d.getSpec().getTemplate();
        } else if (workload instanceof StatefulSet s && s.getSpec() != null) {
            template = s.getSpec().getTemplate();
        } else if (workload instanceof DaemonSet d && d.getSpec() != null) {
            template = d.getSpec().getTemplate();
        }
        return template == null ? null : template.getSpec();
    }
}
