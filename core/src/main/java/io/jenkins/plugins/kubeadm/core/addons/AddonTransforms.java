package io.jenkins.plugins.kubeadm.core.addons;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.jenkins.plugins.kubeadm.core.params.Cidr;
import java.util.ArrayList;
import java.util.List;

/**
 * Edits parsed add-on objects the way their documentation says to configure them: the pod CIDR,
 * Flannel's interface, the image registry. Edits address fields of named objects, never text, so
 * an upstream change that moves a field fails loudly instead of being silently missed.
 */
public final class AddonTransforms {

    public static final ObjectKey FLANNEL_CONFIG = new ObjectKey("ConfigMap", "kube-flannel", "kube-flannel-cfg");
    public static final ObjectKey FLANNEL_DAEMONSET = new ObjectKey("DaemonSet", "kube-flannel", "kube-flannel-ds");
    public static final String FLANNEL_CONTAINER = "kube-flannel";
    public static final ObjectKey WEAVE_DAEMONSET = new ObjectKey("DaemonSet", "kube-system", "weave-net");
    public static final String WEAVE_CONTAINER = "weave";
    public static final ObjectKey CALICO_DAEMONSET = new ObjectKey("DaemonSet", "kube-system", "calico-node");
    public static final String CALICO_CONTAINER = "calico-node";

    private static final ObjectMapper JSON = new ObjectMapper();

    private AddonTransforms() {
    }

    /** Flannel: {@code Network} in net-conf.json of ConfigMap kube-flannel-cfg. */
    public static void flannelNetwork(List<ManifestObject> objects, Cidr podCidr) {
        ConfigMap config = (ConfigMap) find(objects, FLANNEL_CONFIG);
        String netConf = config.getData() == null ? null : config.getData().get("net-conf.json");
        if (netConf == null) {
            throw new ManifestException(FLANNEL_CONFIG + " has no net-conf.json; cannot set the pod CIDR");
        }
        try {
            JsonNode parsed = JSON.readTree(netConf);
            if (!(parsed instanceof ObjectNode conf)) {
                throw new ManifestException(FLANNEL_CONFIG + " net-conf.json is not a JSON object");
            }
            conf.put("Network", podCidr.toString());
            config.getData().put("net-conf.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(conf) + "\n");
        } catch (JsonProcessingException e) {
            throw new ManifestException(FLANNEL_CONFIG + " net-conf.json is not valid JSON");
        }
    }

    /** Flannel: {@code --iface=<name>} on flanneld, replacing any interface already chosen. */
    public static void flannelInterface(List<ManifestObject> objects, String iface) {
        Container flanneld = container(find(objects, FLANNEL_DAEMONSET), FLANNEL_DAEMONSET, FLANNEL_CONTAINER);
        List<String> args = new ArrayList<>(flanneld.getArgs() == null ? List.of() : flanneld.getArgs());
        args.removeIf(a -> a.startsWith("--iface=") || a.startsWith("-iface="));
        args.add("--iface=" + iface);
        flanneld.setArgs(args);
    }

    /** Weave Net: {@code IPALLOC_RANGE} on the weave container. */
    public static void weaveIpallocRange(List<ManifestObject> objects, Cidr podCidr) {
        setEnv(find(objects, WEAVE_DAEMONSET), WEAVE_DAEMONSET, WEAVE_CONTAINER, "IPALLOC_RANGE", podCidr.toString());
    }

    /** Calico: {@code CALICO_IPV4POOL_CIDR} on calico-node (upstream ships it commented out). */
    public static void calicoPoolCidr(List<ManifestObject> objects, Cidr podCidr) {
        setEnv(find(objects, CALICO_DAEMONSET), CALICO_DAEMONSET, CALICO_CONTAINER, "CALICO_IPV4POOL_CIDR",
                podCidr.toString());
    }

    /**
     * Points every container image at {@code registry}, keeping repository path, tag and digest:
     * {@code ghcr.io/flannel-io/flannel:v0.27.4} becomes {@code registry.local:5000/flannel-io/flannel:v0.27.4},
     * {@code weaveworks/weave-kube:2.8.1} becomes {@code registry.local:5000/weaveworks/weave-kube:2.8.1}.
     */
    public static void rewriteImageRegistry(List<ManifestObject> objects, String registry) {
        for (ManifestObject object : objects) {
            for (Container container : PodSpecs.containers(object.object())) {
                container.setImage(ImageReference.parse(container.getImage()).withRegistry(registry));
            }
        }
    }

    /** Sets (or adds) a literal environment variable on a container of a workload. */
    public static void setEnv(HasMetadata workload, ObjectKey key, String containerName, String name, String value) {
        Container container = container(workload, key, containerName);
        List<EnvVar> env = new ArrayList<>(container.getEnv() == null ? List.of() : container.getEnv());
        env.removeIf(e -> name.equals(e.getName()));
        env.add(new EnvVar(name, value, null));
        container.setEnv(env);
    }

    public static HasMetadata find(List<ManifestObject> objects, ObjectKey key) {
        return objects.stream().map(ManifestObject::object).filter(key::matches).findFirst()
                .orElseThrow(() -> new ManifestException("the manifest has no " + key));
    }

    private static Container container(HasMetadata workload, ObjectKey key, String name) {
        return PodSpecs.containers(workload).stream().filter(c -> name.equals(c.getName())).findFirst()
                .orElseThrow(() -> new ManifestException(key + " has no container " + name));
    }
}
