package io.jenkins.plugins.kubeadm.core.addons;

import io.fabric8.kubernetes.api.model.Container;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that a downloaded manifest is the pinned release: every object the catalog expects is
 * there, and every image is one the catalog lists, with exactly the pinned tag.
 */
public final class AddonVerifier {

    private AddonVerifier() {
    }

    public static void verify(Addon addon, List<ManifestObject> objects, String source) {
        List<String> problems = new ArrayList<>();
        for (ObjectKey expected : addon.expectedObjects()) {
            if (objects.stream().noneMatch(o -> expected.matches(o.object()))) {
                problems.add(expected + " is missing");
            }
        }
        Set<String> seen = new HashSet<>();
        for (ManifestObject object : objects) {
            for (Container container : PodSpecs.containers(object.object())) {
                ImageReference image = ImageReference.parse(container.getImage());
                Addon.PinnedImage pinned = addon.images().stream()
                        .filter(p -> p.repository().equals(image.name())).findFirst().orElse(null);
                String where = object.label() + " container " + container.getName();
                if (pinned == null) {
                    problems.add(where + " uses image " + image.name() + ", which is not one of "
                            + addon.label() + "'s images");
                } else if (!pinned.tag().equals(image.tag())) {
                    problems.add(where + " uses " + image.name() + ":" + (image.tag() == null ? "(no tag)" : image.tag())
                            + " but " + addon.label() + " pins tag " + pinned.tag());
                } else {
                    seen.add(pinned.repository());
                }
            }
        }
        for (Addon.PinnedImage pinned : addon.images()) {
            if (!seen.contains(pinned.repository()) && problems.stream().noneMatch(p -> p.contains(pinned.repository()))) {
                problems.add("image " + pinned.repository() + ":" + pinned.tag() + " is not used");
            }
        }
        if (!problems.isEmpty()) {
            throw new ManifestException(source + " is not the " + addon.label() + " manifest the catalog pins: "
                    + String.join("; ", problems) + "; nothing was applied");
        }
    }
}
