package io.jenkins.plugins.kubeadm.core.addons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {

    @Test
    void dockerHubNamesAreNormalised() {
        ImageReference weave = ImageReference.parse("weaveworks/weave-kube:2.8.1");
        assertEquals("docker.io/weaveworks/weave-kube", weave.name());
        assertEquals("2.8.1", weave.tag());
        assertEquals("docker.io/library/nginx", ImageReference.parse("nginx").name());
        assertNull(ImageReference.parse("nginx").tag());
        assertEquals("docker.io/calico/node", ImageReference.parse("index.docker.io/calico/node:v3.29.3").name());
    }

    @Test
    void registryHostsWithPortsAndDigestsAreKept() {
        ImageReference ref = ImageReference.parse("registry.local:5000/team/app:1.2@sha256:" + "a".repeat(64));
        assertEquals("registry.local:5000", ref.registry());
        assertEquals("team/app", ref.path());
        assertEquals("1.2", ref.tag());
        assertEquals("sha256:" + "a".repeat(64), ref.digest());
        assertEquals("localhost/app", ImageReference.parse("localhost/app:dev").name());
    }

    @Test
    void registryRewriteKeepsPathTagAndDigest() {
        assertEquals("mirror.example.com/flannel-io/flannel:v0.27.4",
                ImageReference.parse("ghcr.io/flannel-io/flannel:v0.27.4").withRegistry("mirror.example.com"));
        assertEquals("registry.local:5000/weaveworks/weave-npc:2.8.1",
                ImageReference.parse("weaveworks/weave-npc:2.8.1").withRegistry("registry.local:5000"));
        assertEquals("harbor.corp/proxy/library/nginx:1.27",
                ImageReference.parse("nginx:1.27").withRegistry("harbor.corp/proxy"));
    }

    @Test
    void garbageIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("nginx:"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("has space:1"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(""));
    }
}
