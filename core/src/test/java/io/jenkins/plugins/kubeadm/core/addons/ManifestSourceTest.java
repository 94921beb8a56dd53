package io.jenkins.plugins.kubeadm.core.addons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.cluster.ManifestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestSourceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void downloadFollowsRedirectsAndChecksAPinnedDigest() {
        try (ManifestServer server = new ManifestServer()) {
            Addon flannel = AddonCatalog.load().addon("flannel");
            ManifestSource.Fetched first = ManifestSource.forAddon(flannel, URI.create(server.url("redirect/flannel.yml")),
                    null, null, TIMEOUT);
            assertTrue(first.text().contains("kube-flannel-ds"));
            ManifestSource.Fetched pinned = ManifestSource.forAddon(flannel, URI.create(server.url("flannel.yml")), null,
                    first.sha256(), TIMEOUT);
            assertEquals(first.sha256(), pinned.sha256());
            ManifestException e = assertThrows(ManifestException.class, () -> ManifestSource.forAddon(flannel,
                    URI.create(server.url("flannel.yml")), null, "0".repeat(64), TIMEOUT));
            assertTrue(e.getMessage().contains("has SHA-256 " + first.sha256() + " but " + "0".repeat(64) + " is pinned"), e.getMessage());
        }
    }

    @Test
    void httpErrorsSayWhatToDoOnSitesWithoutInternet() {
        try (ManifestServer server = new ManifestServer()) {
            ManifestException e = assertThrows(ManifestException.class,
                    () -> ManifestSource.download(URI.create(server.url("missing.yml")), TIMEOUT));
            assertTrue(e.getMessage().startsWith("downloading " + server.url("missing.yml") + " failed: HTTP 404"), e.getMessage());
            assertTrue(e.getMessage().contains("manifestFile"), e.getMessage());
        }
    }

    @Test
    void credentialsInAUrlAreNeverShown() {
        URI withPassword = URI.create("http://mirror-user:s3cret@127.0.0.1:9/flannel.yml");
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestSource.download(withPassword, TIMEOUT));
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertTrue(e.getMessage().contains("http://127.0.0.1:9/flannel.yml"), e.getMessage());
    }

    @Test
    void aLocalFileReplacesTheDownload(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kube-flannel.yml");
        Files.writeString(file, "apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-flannel}\n");
        Addon flannel = AddonCatalog.load().addon("flannel");
        ManifestSource.Fetched fetched = ManifestSource.forAddon(flannel, null, file, null, TIMEOUT);
        assertEquals(file.toString(), fetched.source());
    }
}
