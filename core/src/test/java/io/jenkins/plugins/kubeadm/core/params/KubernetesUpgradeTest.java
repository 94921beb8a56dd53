package io.jenkins.plugins.kubeadm.core.params;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.params.KubernetesUpgrade.Release;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** upgradeCluster's version rules against kubeadm's upgrade guide and the version skew policy. */
class KubernetesUpgradeTest {

    private static Release r(String version) {
        return Release.reported(version);
    }

    private static Map<String, Release> nodes(String... nameVersion) {
        Map<String, Release> map = new LinkedHashMap<>();
        for (int i = 0; i < nameVersion.length; i += 2) {
            map.put(nameVersion[i], r(nameVersion[i + 1]));
        }
        return map;
    }

    private static ParameterException refused(String target, Map<String, Release> apiServers, Map<String, Release> kubelets) {
        ParameterException e = assertThrows(ParameterException.class,
                () -> KubernetesUpgrade.check(KubernetesUpgrade.target(target), apiServers, kubelets));
        assertEquals("kubernetesVersion", e.parameter());
        return e;
    }

    @Test
    void theTargetIsOneExactReleaseOfASupportedMinor() {
        assertEquals("1.26.2", KubernetesUpgrade.target("1.26.2").toString());
        assertEquals("1.27.0", KubernetesUpgrade.target("v1.27.0").toString());
        for (String bad : new String[] {"1.26", "1.26.x", "latest", "1.26.2; reboot", "01.26.2"}) {
            ParameterException e = assertThrows(ParameterException.class, () -> KubernetesUpgrade.target(bad), bad);
            assertEquals("kubernetesVersion", e.parameter());
            assertTrue(e.getMessage().contains("an exact release such as 1.27.3"), e.getMessage());
        }
        assertTrue(assertThrows(ParameterException.class, () -> KubernetesUpgrade.target("1.25.9")).getMessage()
                .contains("minor 1.25 is not supported"));
        assertTrue(assertThrows(ParameterException.class, () -> KubernetesUpgrade.target(" ")).getMessage().startsWith("kubernetesVersion:"));
    }

    @Test
    void versionsAsTheApiReportsThem() {
        assertEquals(new Release(1, 26, 1), r("v1.26.1"));
        assertEquals(new Release(1, 27, 0), r("v1.27.0+k3s1"));
        assertEquals(new Release(1, 28, 3), r("v1.28.3-eks-1234"));
        assertNull(r("1.26"));
        assertNull(r(null));
        assertTrue(r("v1.26.10").compareTo(r("v1.26.9")) > 0);
        assertTrue(r("v1.27.0").compareTo(r("v1.26.99")) > 0);
    }

    @Test
    void aPatchReleaseOrTheNextMinorIsAllowed() {
        Map<String, Release> cp = nodes("cp1", "v1.26.1");
        Map<String, Release> kubelets = nodes("cp1", "v1.26.1", "worker1", "v1.26.1");
        assertDoesNotThrow(() -> KubernetesUpgrade.check(KubernetesUpgrade.target("1.26.2"), cp, kubelets));
        assertDoesNotThrow(() -> KubernetesUpgrade.check(KubernetesUpgrade.target("1.27.0"), cp, kubelets));
        // The same release again: nothing to change, and nothing refused (a re-run after it finished).
        assertDoesNotThrow(() -> KubernetesUpgrade.check(KubernetesUpgrade.target("1.26.1"), cp, kubelets));
    }

    @Test
    void neverDown() {
        ParameterException e = refused("1.26.0", nodes("cp1", "v1.26.1"), nodes("cp1", "v1.26.0"));
        assertTrue(e.getMessage().contains("1.26.0 is older than the API server on cp1 (1.26.1): upgradeCluster never goes down a release"),
                e.getMessage());
    }

    @Test
    void oneMinorPerHopFromTheOldestControlPlane() {
        ParameterException e = refused("1.28.0", nodes("cp1", "v1.26.1"), nodes("cp1", "v1.26.1"));
        assertTrue(e.getMessage().contains("1.28.0 skips a minor: the API server on cp1 runs 1.26.1, and kubeadm upgrades one minor at a time"
                + " (first to a 1.27 release)"), e.getMessage());
        // A roll-out that stopped after the first of three control planes: the next minor is still counted from the oldest.
        Map<String, Release> halfway = nodes("cp1", "v1.27.2", "cp2", "v1.26.1", "cp3", "v1.26.1");
        assertDoesNotThrow(() -> KubernetesUpgrade.check(KubernetesUpgrade.target("1.27.2"), halfway, nodes("cp1", "v1.27.2")));
        assertTrue(refused("1.28.0", halfway, Map.of()).getMessage().contains("the API server on cp2 runs 1.26.1"));
        // ... and never below the newest one.
        assertTrue(refused("1.27.1", halfway, Map.of()).getMessage().contains("older than the API server on cp1 (1.27.2)"));
    }

    @Test
    void aKubeletIsNeverNewerThanItsApiServer() {
        ParameterException e = refused("1.26.2", nodes("cp1", "v1.26.1"), nodes("cp1", "v1.26.1", "worker1", "v1.26.3"));
        assertTrue(e.getMessage().contains("older than the kubelet on worker1 (kubelet 1.26.3): a kubelet is never newer than its API server"),
                e.getMessage());
    }

    @Test
    void kubeletsStayWithinThreeMinorsOrTwoWhenOlderThan125() {
        // kubelet 1.25 may be three minors behind: an API server at 1.28 accepts it, one at 1.29 does not.
        assertDoesNotThrow(() -> KubernetesUpgrade.check(KubernetesUpgrade.target("1.28.0"), nodes("cp1", "v1.27.5"),
                nodes("worker1", "v1.25.16")));
        ParameterException e = refused("1.29.0", nodes("cp1", "v1.28.4"), nodes("worker1", "v1.25.16", "worker2", "v1.26.0"));
        assertTrue(e.getMessage().contains("worker1 (kubelet 1.25.16) is older still: upgrade it first"), e.getMessage());
        // kubelet 1.24 only two: an API server at 1.27 is one too many.
        e = refused("1.27.0", nodes("cp1", "v1.26.1"), nodes("worker1", "v1.24.17", "worker2", "v1.24.0"));
        assertTrue(e.getMessage().contains("worker1 (kubelet 1.24.17), worker2 (kubelet 1.24.0) are older still: upgrade them first"),
                e.getMessage());
        assertEquals(2, KubernetesUpgrade.kubeletSkew(r("v1.24.17")));
        assertEquals(3, KubernetesUpgrade.kubeletSkew(r("v1.25.0")));
    }

    @Test
    void eachMinorHasItsOwnPackageRepository() {
        Release target = KubernetesUpgrade.target("1.27.0");
        ParameterException e = assertThrows(ParameterException.class,
                () -> KubernetesUpgrade.checkRepository("https://pkgs.k8s.io/core:/stable:/v1.26/deb/", target));
        assertEquals("aptRepository", e.parameter());
        assertTrue(e.getMessage().contains("is the repository of Kubernetes 1.26, and 1.27.0 is of 1.27"), e.getMessage());
        assertTrue(e.getMessage().contains("https://pkgs.k8s.io/core:/stable:/v1.27/deb/"), e.getMessage());
        assertDoesNotThrow(() -> KubernetesUpgrade.checkRepository("https://pkgs.k8s.io/core:/stable:/v1.27/deb/", target));
        assertDoesNotThrow(() -> KubernetesUpgrade.checkRepository("http://10.0.0.5:8080/k8s/v1.27", target));
        // A mirror whose URL names no minor is the user's to keep right; empty is the target minor's default.
        assertDoesNotThrow(() -> KubernetesUpgrade.checkRepository("http://10.0.0.5:8080/kubernetes/", target));
        assertDoesNotThrow(() -> KubernetesUpgrade.checkRepository(null, target));
        assertDoesNotThrow(() -> KubernetesUpgrade.checkRepository("", target));
    }
}
