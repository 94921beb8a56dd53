package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.addons.Addon;
import io.jenkins.plugins.kubeadm.core.addons.AddonVerifier;
import io.jenkins.plugins.kubeadm.core.addons.ManifestObject;
import io.jenkins.plugins.kubeadm.core.addons.ManifestSource;
import io.jenkins.plugins.kubeadm.core.addons.Manifests;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** Fetches an add-on's manifest, parses it and verifies it is the pinned release. */
final class AddonManifests {

    private AddonManifests() {
    }

    static List<ManifestObject> load(Addon addon, URI manifestUrl, Path manifestFile, String sha256,
                                     Duration downloadTimeout, Consumer<String> progress) {
        progress.accept(addon.label() + ": fetching " + (manifestFile != null ? manifestFile
                : ManifestSource.withoutUserInfo(manifestUrl != null ? manifestUrl : addon.manifestUrl())));
        ManifestSource.Fetched fetched = ManifestSource.forAddon(addon, manifestUrl, manifestFile, sha256, downloadTimeout);
        List<ManifestObject> objects = Manifests.parse(fetched.text(), fetched.source());
        AddonVerifier.verify(addon, objects, fetched.source());
        progress.accept(addon.label() + ": " + objects.size() + " objects, " + fetched.content().length
                + " bytes, sha256 " + fetched.sha256() + (sha256 != null || addon.sha256() != null ? " (pinned, verified)" : ""));
        return objects;
    }
}
