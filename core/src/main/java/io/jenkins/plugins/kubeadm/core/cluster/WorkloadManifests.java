package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.addons.ManifestException;
import io.jenkins.plugins.kubeadm.core.addons.ManifestObject;
import io.jenkins.plugins.kubeadm.core.addons.ManifestSource;
import io.jenkins.plugins.kubeadm.core.addons.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * deployWorkload's manifests: read from manifestText, a file, or a directory's .yaml, .yml and
 * .json files in name order, and given the step's namespace. Every check fails before anything
 * is applied.
 */
final class WorkloadManifests {

    /** Where a namespaced object goes when neither it nor the step names a namespace, as kubectl does. */
    static final String DEFAULT_NAMESPACE = "default";

    private WorkloadManifests() {
    }

    /** @throws ManifestException naming every file or document that cannot be read, all at once */
    static List<ManifestObject> load(WorkloadOptions options) {
        if (options.manifestText != null) {
            return Manifests.parse(options.manifestText, "manifestText");
        }
        List<Path> files;
        if (Files.isDirectory(options.manifestPath)) {
            try (Stream<Path> list = Files.list(options.manifestPath)) {
                files = list.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().matches("(?i).*\\.(ya?ml|json)"))
                        .sorted(Comparator.comparing(Path::toString)).toList();
            } catch (IOException e) {
                throw new ManifestException("cannot list manifest directory " + options.manifestPath);
            }
            if (files.isEmpty()) {
                throw new ManifestException("manifest directory " + options.manifestPath + " has no .yaml, .yml or .json files");
            }
        } else {
            files = List.of(options.manifestPath);
        }
        List<ManifestObject> all = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            ManifestSource.Fetched fetched = ManifestSource.fromFile(file);
            try {
                all.addAll(Manifests.parse(fetched.text(), file.toString()));
            } catch (ManifestException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ManifestException(String.join(" | ", problems));
        }
        return all;
    }

    /** Namespaced objects without a namespace get the step's (or default); one naming another namespace is an error. */
    static void assignNamespaces(List<ManifestObject> objects, String namespace, CustomResources.Plan plan) {
        List<String> problems = new ArrayList<>();
        for (ManifestObject object : objects) {
            Boolean namespaced = plan.namespaced(object);
            String own = object.object().getMetadata().getNamespace();
            if (Boolean.FALSE.equals(namespaced)) {
                continue;
            }
            if (own == null) {
                if (namespace != null || Boolean.TRUE.equals(namespaced)) {
                    object.object().getMetadata().setNamespace(namespace == null ? DEFAULT_NAMESPACE : namespace);
                }
            } else if (namespace != null && !namespace.equals(own)) {
                problems.add(object.label() + ": metadata.namespace is " + own + " but the step's namespace is " + namespace);
            }
        }
        if (!problems.isEmpty()) {
            throw new ManifestException("invalid manifests: " + String.join("; ", problems) + "; nothing was applied");
        }
    }
}
