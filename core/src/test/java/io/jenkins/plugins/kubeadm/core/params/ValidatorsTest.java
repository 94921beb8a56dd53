package io.jenkins.plugins.kubeadm.core.params;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidatorsTest {

    @Test
    void hostnamesFollowRfc1123AndAreLowerCased() {
        assertEquals("nuc01", Validators.hostname("hostname", "nuc01"));
        assertEquals("control-plane.lab.example", Validators.hostname("hostname", "Control-Plane.lab.example"));
        assertEquals("a".repeat(63), Validators.hostname("hostname", "a".repeat(63)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-leading", "trailing-", "under_score", "dot..dot", "sp ace", "ünïcode", "x.", ""})
    void invalidHostnamesNameTheParameterAndTheForm(String bad) {
        ParameterException e = assertThrows(ParameterException.class, () -> Validators.hostname("NODE_HOSTNAME", bad));
        assertEquals("NODE_HOSTNAME", e.parameter());
        assertTrue(e.getMessage().startsWith("NODE_HOSTNAME: "), e.getMessage());
        assertTrue(e.getMessage().contains("RFC 1123"), e.getMessage());
    }

    @Test
    void aLabelOver63CharactersOrANameOver253IsRejected() {
        assertThrows(ParameterException.class, () -> Validators.hostname("h", "a".repeat(64)));
        String longName = String.join(".", List.of("a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(63)));
        ParameterException e = assertThrows(ParameterException.class, () -> Validators.hostname("h", longName));
        assertTrue(e.getMessage().contains("253"), e.getMessage());
    }

    @Test
    void ipv4AddressesMustBeDottedQuads() {
        assertEquals("192.168.1.10", Validators.ipv4("ip", "192.168.1.10"));
        for (String bad : List.of("256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "a.b.c.d", "::1")) {
            ParameterException e = assertThrows(ParameterException.class, () -> Validators.ipv4("APISERVER_ADVERTISE_ADDRESS", bad), bad);
            assertTrue(e.getMessage().startsWith("APISERVER_ADVERTISE_ADDRESS: "), e.getMessage());
        }
    }

    @Test
    void cidrsAreNetworkAddressesWithAPrefix() {
        Cidr pods = Validators.cidr("podNetworkCidr", "10.244.0.0/16");
        assertEquals("10.244.0.0/16", pods.toString());
        Cidr services = Validators.cidr("serviceCidr", "10.96.0.0/12");
        assertFalse(pods.overlaps(services));
        assertTrue(Validators.cidr("a", "10.0.0.0/8").overlaps(pods));
        ParameterException hostBits = assertThrows(ParameterException.class, () -> Validators.cidr("podNetworkCidr", "10.244.1.0/16"));
        assertTrue(hostBits.getMessage().contains("did you mean 10.244.0.0/16?"), hostBits.getMessage());
        for (String bad : List.of("10.244.0.0", "10.244.0.0/33", "10.244.0.0/x", "10.244.0/16", "10.0.0.0/4")) {
            ParameterException e = assertThrows(ParameterException.class, () -> Validators.cidr("podNetworkCidr", bad), bad);
            assertEquals("podNetworkCidr", e.parameter());
        }
    }

    @Test
    void kubernetesVersionsAreSupportedMinorsWithAnOptionalPatch() {
        assertEquals(new KubernetesVersion("1.31", null), Validators.kubernetesVersion("v", "1.31"));
        assertEquals(new KubernetesVersion("1.34", 2), Validators.kubernetesVersion("v", "v1.34.2"));
        assertEquals("1.34.2", Validators.kubernetesVersion("v", "1.34.2").toString());
        ParameterException old = assertThrows(ParameterException.class, () -> Validators.kubernetesVersion("kubernetesVersion", "1.25.1"));
        assertTrue(old.getMessage().contains("minor 1.25 is not supported"), old.getMessage());
        assertTrue(old.getMessage().contains("1.26, 1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36, 1.37"), old.getMessage());
        for (String bad : List.of("latest", "1", "2.0", "1.31.2-1.1", "1.31.x")) {
            assertThrows(ParameterException.class, () -> Validators.kubernetesVersion("kubernetesVersion", bad), bad);
        }
    }

    @Test
    void addonVersionsAreReleaseTagsWithTheLeadingV() {
        assertEquals("v0.20.2", Validators.addonVersion("version", "v0.20.2"));
        assertEquals("v0.20.2", Validators.addonVersion("version", " 0.20.2 "));
        for (String bad : List.of("latest", "v0.20", "0.20.2-rc1", "V0.20.2", "v0.20.2; rm -rf /", "")) {
            ParameterException e = assertThrows(ParameterException.class, () -> Validators.addonVersion("version", bad), bad);
            assertEquals("version", e.parameter());
            assertTrue(e.getMessage().contains("accepted: a release version such as v0.20.2"), e.getMessage());
        }
    }

    @Test
    void portsAndEnvironmentNames() {
        assertEquals(6443, Validators.port("port", "6443"));
        assertThrows(ParameterException.class, () -> Validators.port("port", "0"));
        assertThrows(ParameterException.class, () -> Validators.port("port", "65536"));
        assertEquals("NODE_ROLE", Validators.environmentName("n", "NODE_ROLE"));
        assertThrows(ParameterException.class, () -> Validators.environmentName("n", "node-role"));
        assertThrows(ParameterException.class, () -> Validators.environmentName("n", "1X"));
    }

    @Test
    void oneCheckPerKindOfValueWhateverStepUsesIt() {
        assertEquals("kubeadm-join-lab", Validators.credentialId("joinCredentialsId", "kubeadm-join-lab"));
        assertThrows(ParameterException.class, () -> Validators.credentialId("joinCredentialsId", "-starts-with-dash"));
        // A URL may carry credentials: the refusal never repeats it, for the apt repository as for a manifest.
        String secretUrl = "https://user:s3cret@mirror.example/ space/";
        for (String parameter : List.of("aptRepository", "manifestUrl")) {
            ParameterException e = assertThrows(ParameterException.class, () -> Validators.httpUrl(parameter, secretUrl));
            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        }
        assertThrows(ParameterException.class, () -> InstallRuntimeParams.of(null, null, secretUrl, null));
        assertEquals("https://pkgs.k8s.io/core:/stable:/v1.31/deb/", Validators.httpUrl("aptRepository", "https://pkgs.k8s.io/core:/stable:/v1.31/deb/").toString());
        // One pattern for image references: the pause image, the GPU smoke image and the add-on manifests' images.
        assertEquals("myregistry:5000/pause:3.10", Validators.imageReference("pauseImage", "myregistry:5000/pause:3.10", "x"));
        assertThrows(ParameterException.class, () -> Validators.imageReference("pauseImage", "Registry/Pause:3.10", "x"));
        assertThrows(IllegalArgumentException.class, () -> io.jenkins.plugins.kubeadm.core.addons.ImageReference.parse("Registry/Pause:3.10"));
        // One registry check for kubeadm's imageRepository and the add-ons' imageRegistry.
        assertEquals("10.0.0.5:5000/k8s", KubeadmInitParams.defaults().withImageRepository("10.0.0.5:5000/k8s/").imageRepository());
        assertEquals("10.0.0.5:5000/k8s", Validators.imageRegistry("imageRegistry", "10.0.0.5:5000/k8s/"));
    }
}
