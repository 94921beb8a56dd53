package io.jenkins.plugins.kubeadm.core.addons;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;

/** The pod spec inside the workload kinds, so images and containers can be found in any of them. */
public final class PodSpecs {

    private PodSpecs() {
    }

    public static boolean isWorkload(HasMetadata object) {
        return object instanceof Deployment || object instanceof StatefulSet || object instanceof DaemonSet
                || object instanceof ReplicaSet || object instanceof Job || object instanceof CronJob
                || object instanceof Pod || object instanceof ReplicationController;
    }

    /** The object's pod spec, or null when it has none. */
    public static PodSpec of(HasMetadata object) {
        if (object instanceof Pod p) {
            return p.getSpec();
        }
        if (object instanceof CronJob c) {
            return c.getSpec() == null || c.getSpec().getJobTemplate() == null
                    || c.getSpec().getJobTemplate().getSpec() == null ? null
                    : spec(c.getSpec().getJobTemplate().getSpec().getTemplate());
        }
        PodTemplateSpec template = null;
        if (object instanceof Deployment d && d.getSpec() != null) {
            template = d.getSpec().getTemplate();
        } else if (object instanceof StatefulSet s && s.getSpec() != null) {
            template = s.getSpec().getTemplate();
        } else if (object instanceof DaemonSet s && s.getSpec() != null) {
            template = s.getSpec().getTemplate();
        } else if (object instanceof ReplicaSet s && s.getSpec() != null) {
            template = s.getSpec().getTemplate();
        } else if (object instanceof Job j && j.getSpec() != null) {
            template = j.getSpec().getTemplate();
        } else if (object instanceof ReplicationController r && r.getSpec() != null) {
            template = r.getSpec().getTemplate();
        }
        return spec(template);
    }

    /** Init containers first, then containers, as the kubelet starts them. */
    public static List<Container> containers(HasMetadata object) {
        PodSpec spec = of(object);
        List<Container> all = new ArrayList<>();
        if (spec != null) {
            if (spec.getInitContainers() != null) {
                all.addAll(spec.getInitContainers());
            }
            if (spec.getContainers() != null) {
                all.addAll(spec.getContainers());
            }
        }
        return all;
    }

    private static PodSpec spec(PodTemplateSpec template) {
        return template == null ? null : template.getSpec();
    }
}
