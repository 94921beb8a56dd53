package io.jenkins.plugins.kubeadm.core.addons;

import java.net.URI;
import java.util.List;

/**
 * One pinned release of a catalog add-on: its upstream version, where its manifest is published,
 * what the manifest must contain and which images (with which tags) it may use.
 *
 * @param name            the catalog key, e.g. {@code flannel}
 * @param displayName     how messages name it, e.g. {@code Flannel}
 * @param version         the pinned upstream release, e.g. {@code v0.27.4}
 * @param manifestUrl     the release's official manifest URL
 * @param sha256          the manifest's SHA-256 when the catalog pins one, else null
 * @param images          every image the manifest may use, each with the tag this release must use
 * @param workload        the DaemonSet whose availability tells that the add-on runs
 * @param expectedObjects objects the manifest must contain; transformations rely on them
 */
public record Addon(String name, String displayName, String version, URI manifestUrl, String sha256,
                    List<PinnedImage> images, ObjectKey workload, List<ObjectKey> expectedObjects) {

    public Addon {
        images = List.copyOf(images);
        expectedObjects = List.copyOf(expectedObjects);
    }

    /** An image repository (registry and path, as {@link ImageReference#name()} spells it) and its pinned tag. */
    public record PinnedImage(String repository, String tag) {
    }

    /** {@code Flannel v0.27.4}. */
    public String label() {
        return displayName + " " + version;
    }
}
