package io.jenkins.plugins.kubeadm.core.addons;

import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.util.Locale;

/**
 * A container image reference split the way container runtimes read it: an optional registry host
 * (the first path segment when it has a '.' or ':' or is {@code localhost}; Docker Hub otherwise), a
 * repository path, an optional tag and an optional digest.
 */
public record ImageReference(String registry, boolean registryImplied, String path, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";

    public static ImageReference parse(String reference) {
        if (reference == null || !Validators.IMAGE_REFERENCE.matcher(reference).matches()) {
            throw new IllegalArgumentException("not an image reference: '" + reference + "'");
        }
        String rest = reference;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String registry = DOCKER_HUB;
        boolean implied = true;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first.equals("index.docker.io") ? DOCKER_HUB : first;
                implied = false;
                rest = rest.substring(slash + 1);
            }
        }
        if (rest.isEmpty() || (tag != null && tag.isEmpty())) {
            throw new IllegalArgumentException("not an image reference: '" + reference + "'");
        }
        String path = registry.equals(DOCKER_HUB) && !rest.contains("/") ? "library/" + rest : rest;
        return new ImageReference(registry.toLowerCase(Locale.ROOT), implied, path, tag, digest);
    }

    /** Registry and path, the part that names the image regardless of tag: {@code docker.io/weaveworks/weave-kube}. */
    public String name() {
        return registry + "/" + path;
    }

    /** The same image pulled from another registry: {@code registry.local:5000/weaveworks/weave-kube:2.8.1}. */
    public String withRegistry(String newRegistry) {
        return newRegistry + "/" + path + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    @Override
    public String toString() {
        return name() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
