package io.jenkins.plugins.kubeadm.core.addons;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads multi-document YAML (or JSON) manifests into typed API objects and checks each object
 * enough that the API server is not the first to notice a broken one. Every problem names the
 * document, the kind and the name; none repeats a field's value (a Secret's data must not leak).
 */
public final class Manifests {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** Kinds whose names the API server holds to DNS-1123 subdomains (others, like RBAC, allow ':'). */
    private static final Set<String> SUBDOMAIN_NAMED = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
            "Job", "CronJob", "Pod", "ConfigMap", "Secret", "ServiceAccount", "Ingress", "PersistentVolumeClaim");
    private static final int MAX_PROBLEMS_SHOWN = 10;

    private Manifests() {
    }

    /**
     * Parses every document; a {@code kind: List} (or {@code *List}) is expanded into its items.
     * Empty documents are skipped but still counted, so indexes match what an editor shows.
     *
     * @param source names the manifest in messages (a URL, a file, "manifests")
     * @throws ManifestException listing every problem found, before anything is applied
     */
    public static List<ManifestObject> parse(String text, String source) {
        List<ManifestObject> objects = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int document = 1;
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(text)) {
            for (; documents.hasNextValue(); document++) {
                JsonNode node = documents.nextValue();
                if (node == null || node.isNull() || node.isMissingNode() || (node.isObject() && node.isEmpty())) {
                    continue;
                }
                read(node, document, null, objects, problems);
            }
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            problems.add("document " + document + ": not valid YAML"
                    + (where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr())
                    + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException | RuntimeException e) {
            problems.add("document " + document + ": not valid YAML: " + e.getClass().getSimpleName());
        }
        if (problems.isEmpty() && objects.isEmpty()) {
            problems.add("it contains no API objects");
        }
        throw_(source, problems);
        return objects;
    }

    /** Throws one ManifestException for all problems, or returns when there are none. */
    static void throw_(String source, List<String> problems) {
        if (problems.isEmpty()) {
            return;
        }
        List<String> shown = problems.size() > MAX_PROBLEMS_SHOWN ? problems.subList(0, MAX_PROBLEMS_SHOWN) : problems;
        String more = problems.size() > shown.size() ? "; and " + (problems.size() - shown.size()) + " more" : "";
        throw new ManifestException("invalid manifest " + source + ": " + String.join("; ", shown) + more
                + "; nothing was applied");
    }

    private static void read(JsonNode node, int document, Integer item, List<ManifestObject> objects,
                             List<String> problems) {
        String where = ManifestObject.location(document, item);
        if (!node.isObject()) {
            problems.add(where + ": is not a mapping with apiVersion, kind and metadata");
            return;
        }
        String kind = node.path("kind").isTextual() ? node.path("kind").asText() : null;
        String name = node.path("metadata").path("name").isTextual() ? node.path("metadata").path("name").asText() : null;
        String what = where + " (" + (kind == null ? "no kind" : kind) + " " + (name == null ? "without name" : name) + ")";
        if (kind == null || kind.isBlank()) {
            problems.add(what + ": kind is missing");
            return;
        }
        if (!node.path("apiVersion").isTextual() || node.path("apiVersion").asText().isBlank()) {
            problems.add(what + ": apiVersion is missing");
            return;
        }
        if (kind.endsWith("List") && node.has("items")) {
            if (item != null) {
                problems.add(what + ": a List inside a List is not supported");
                return;
            }
            int index = 0;
            for (JsonNode child : node.path("items")) {
                read(child, document, ++index, objects, problems);
            }
            return;
        }
        if (name == null || name.isBlank()) {
            problems.add(what + ": metadata.name is missing (server-side apply needs a name; generateName is not supported)");
            return;
        }
        KubernetesResource resource;
        try {
            resource = SERIALIZATION.unmarshal(node.toString());
        } catch (RuntimeException e) {
            problems.add(what + ": " + describe(e));
            return;
        }
        if (!(resource instanceof HasMetadata object)) {
            problems.add(what + ": is not an API object");
            return;
        }
        int before = problems.size();
        checkNames(object, what, problems);
        checkPodTemplate(object, what, problems);
        if (problems.size() == before) {
            objects.add(new ManifestObject(document, item, object));
        }
    }

    private static void checkNames(HasMetadata object, String what, List<String> problems) {
        String name = object.getMetadata().getName();
        String kind = object.getKind();
        if (name.equals(".") || name.equals("..") || name.contains("/") || name.contains("%") || name.length() > 253) {
            problems.add(what + ": metadata.name is not a valid object name");
        } else if (("Namespace".equals(kind) || "Service".equals(kind)) && !DNS_LABEL.matcher(name).matches()) {
            problems.add(what + ": metadata.name must be a DNS-1123 label (lower-case letters, digits, '-', at most 63)");
        } else if (SUBDOMAIN_NAMED.contains(kind) && !DNS_SUBDOMAIN.matcher(name).matches()) {
            problems.add(what + ": metadata.name must be a DNS-1123 subdomain (lower-case letters, digits, '-', '.')");
        }
        String namespace = object.getMetadata().getNamespace();
        if (namespace != null && !DNS_LABEL.matcher(namespace).matches()) {
            problems.add(what + ": metadata.namespace is not a valid namespace name");
        }
    }

    private static void checkPodTemplate(HasMetadata object, String what, List<String> problems) {
        PodTemplateSpec template = null;
        LabelSelector selector = null;
        boolean selectorRequired = true;
        if (object instanceof Deployment d && d.getSpec() != null) {
            template = d.getSpec().getTemplate();
            selector = d.getSpec().getSelector();
        } else if (object instanceof StatefulSet s && s.getSpec() != null) {
            template = s.getSpec().getTemplate();
            selector = s.getSpec().getSelector();
        } else if (object instanceof DaemonSet s && s.getSpec() != null) {
            template = s.getSpec().getTemplate();
            selector = s.getSpec().getSelector();
        } else if (object instanceof ReplicaSet s && s.getSpec() != null) {
            template = s.getSpec().getTemplate();
            selector = s.getSpec().getSelector();
        } else if (!PodSpecs.isWorkload(object)) {
            return;
        } else {
            selectorRequired = false;
        }
        if (selectorRequired) {
            if (template == null) {
                problems.add(what + ": spec.template is missing");
                return;
            }
            if (selector == null || ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                    && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty()))) {
                problems.add(what + ": spec.selector is missing");
            } else if (selector.getMatchLabels() != null) {
                Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
                for (var entry : selector.getMatchLabels().entrySet()) {
                    if (labels == null || !entry.getValue().equals(labels.get(entry.getKey()))) {
                        problems.add(what + ": spec.selector.matchLabels " + entry.getKey()
                                + " does not match spec.template.metadata.labels");
                        break;
                    }
                }
            }
        }
        PodSpec pod = PodSpecs.of(object);
        if (pod == null || pod.getContainers() == null || pod.getContainers().isEmpty()) {
            problems.add(what + ": the pod template has no containers");
            return;
        }
        checkContainers(pod.getContainers(), "containers", what, problems);
        if (pod.getInitContainers() != null) {
            checkContainers(pod.getInitContainers(), "initContainers", what, problems);
        }
    }

    private static void checkContainers(List<Container> containers, String field, String what, List<String> problems) {
        for (int i = 0; i < containers.size(); i++) {
            Container c = containers.get(i);
            if (c.getName() == null || c.getName().isBlank()) {
                problems.add(what + ": " + field + "[" + i + "].name is missing");
            }
            if (c.getImage() == null || c.getImage().isBlank()) {
                problems.add(what + ": " + field + "[" + i + "].image is missing");
            } else {
                try {
                    ImageReference.parse(c.getImage());
                } catch (IllegalArgumentException e) {
                    problems.add(what + ": " + field + "[" + i + "].image is not an image reference");
                }
            }
        }
    }

    /** What is wrong, from a deserialisation failure, naming the field path but not the value. */
    private static String describe(RuntimeException e) {
        Throwable cause = e;
        while (cause != null && !(cause instanceof DatabindException)) {
            cause = cause.getCause();
        }
        if (cause instanceof JsonMappingException mapping) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference ref : mapping.getPath()) {
                if (ref.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            String field = path.length() == 0 ? "a field" : path.toString();
            if (mapping instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
                return field + " has the wrong type (expected " + typeName(mismatch.getTargetType()) + ")";
            }
            return field + " cannot be read";
        }
        return "cannot be read as a Kubernetes object";
    }

    private static String typeName(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || KubernetesResource.class.isAssignableFrom(type)) {
            return "a mapping";
        }
        return type.getSimpleName();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "syntax error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
