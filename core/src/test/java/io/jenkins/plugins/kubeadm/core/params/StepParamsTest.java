package io.jenkins.plugins.kubeadm.core.params;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StepParamsTest {

    @Test
    void prepareNodeEnvironmentCarriesOnlyWhatWasGiven() {
        assertEquals(Map.of("NODE_ROLE", "worker"), PrepareNodeParams.of("worker", null, null, null).environment());
        PrepareNodeParams p = PrepareNodeParams.of("control-plane", "NUC01", "192.168.1.10  nuc01\n\n192.168.1.11 nuc02 nuc02.lab\n",
                "NumCPU, port-6443");
        assertEquals(Map.of("NODE_ROLE", "control-plane", "NODE_HOSTNAME", "nuc01",
                "CLUSTER_HOSTS", "192.168.1.10 nuc01\n192.168.1.11 nuc02 nuc02.lab", "PREFLIGHT_IGNORE", "NumCPU,port-6443"), p.environment());
    }

    @Test
    void prepareNodeRejectsBadInputNamingTheParameter() {
        assertEquals("role", assertThrows(ParameterException.class, () -> PrepareNodeParams.of("master", null, null, null)).parameter());
        assertEquals("role", assertThrows(ParameterException.class, () -> PrepareNodeParams.of(" ", null, null, null)).parameter());
        assertEquals("hostname", assertThrows(ParameterException.class, () -> PrepareNodeParams.of("worker", "nuc_01", null, null)).parameter());
        ParameterException hosts = assertThrows(ParameterException.class,
                () -> PrepareNodeParams.of("worker", null, "192.168.1.10 nuc01\n192.168.1.300 nuc02", null));
        assertEquals("clusterHosts", hosts.parameter());
        assertTrue(hosts.getMessage().contains("line 2"), hosts.getMessage());
        assertThrows(ParameterException.class, () -> PrepareNodeParams.of("worker", null, "nuc01", null));
        ParameterException ignore = assertThrows(ParameterException.class, () -> PrepareNodeParams.of("worker", null, null, "Swap"));
        assertEquals("preflightIgnore", ignore.parameter());
        assertTrue(ignore.getMessage().contains("NumCPU, Mem, Systemd, Cgroups, Kmsg, CgroupsWritable, KernelSysctls, Port-<n>, all"), ignore.getMessage());
    }

    @Test
    void installRuntimeDefaultsToTheNewestMinorAndLeavesTheRestToTheScript() {
        assertEquals(Map.of("KUBERNETES_VERSION", "1.37"), InstallRuntimeParams.of(null, null, null, null).environment());
        InstallRuntimeParams p = InstallRuntimeParams.of("1.31.2", "mirror.lab:5000/pause:3.10",
                "https://mirror.lab/k8s/v1.31/deb/", "https://mirror.lab/k8s/v1.31/deb/Release.key");
        assertEquals("1.31.2", p.environment().get("KUBERNETES_VERSION"));
        assertEquals("mirror.lab:5000/pause:3.10", p.environment().get("PAUSE_IMAGE"));
        assertEquals("https://mirror.lab/k8s/v1.31/deb/", p.environment().get("KUBERNETES_APT_REPO"));
    }

    @Test
    void installRuntimeRejectsBadInputNamingTheParameter() {
        assertEquals("kubernetesVersion", assertThrows(ParameterException.class, () -> InstallRuntimeParams.of("1.99", null, null, null)).parameter());
        assertEquals("pauseImage", assertThrows(ParameterException.class, () -> InstallRuntimeParams.of(null, "Pause:3.10", null, null)).parameter());
        assertEquals("aptRepository", assertThrows(ParameterException.class, () -> InstallRuntimeParams.of(null, null, "ftp://mirror/", null)).parameter());
        assertEquals("aptRepository", assertThrows(ParameterException.class, () -> InstallRuntimeParams.of(null, null, "https://a b/", null)).parameter());
        assertEquals("aptKeyUrl", assertThrows(ParameterException.class, () -> InstallRuntimeParams.of(null, null, null, "file:///key")).parameter());
    }

    @Test
    void registryMirrorAndImageRepositoryReachTheScriptsValidated() {
        InstallRuntimeParams runtime = InstallRuntimeParams.of("1.26", "10.0.0.5:5000/pause:3.9", null, null)
                .withRegistryMirror("http://10.0.0.5:5000/");
        assertEquals("http://10.0.0.5:5000", runtime.environment().get("REGISTRY_MIRROR"));
        for (String bad : java.util.List.of("10.0.0.5:5000", "ftp://mirror", "http://mirror/path", "http://mirror lab", "https://Mirror")) {
            assertEquals("registryMirror", assertThrows(ParameterException.class,
                    () -> InstallRuntimeParams.of(null, null, null, null).withRegistryMirror(bad)).parameter(), bad);
        }
        KubeadmInitParams init = KubeadmInitParams.defaults().withImageRepository("10.0.0.5:5000/k8s/")
                .withImageTags("3.5.16-0", "v1.13.1").withIgnorePreflightErrors("HTTPProxyCIDR, Swap");
        assertEquals("10.0.0.5:5000/k8s", init.environment().get("IMAGE_REPOSITORY"));
        assertEquals("3.5.16-0", init.environment().get("ETCD_IMAGE_TAG"));
        assertEquals("v1.13.1", init.environment().get("COREDNS_IMAGE_TAG"));
        assertEquals("HTTPProxyCIDR,Swap", init.environment().get("IGNORE_PREFLIGHT_ERRORS"));
        assertEquals("imageRepository", assertThrows(ParameterException.class,
                () -> KubeadmInitParams.defaults().withImageRepository("http://10.0.0.5:5000")).parameter());
        assertEquals("etcdImageTag", assertThrows(ParameterException.class,
                () -> KubeadmInitParams.defaults().withImageTags("3.5 16", null)).parameter());
        assertEquals("ignorePreflightErrors", assertThrows(ParameterException.class,
                () -> KubeadmInitParams.defaults().withIgnorePreflightErrors("Swap;rm -rf")).parameter());
        assertEquals(null, KubeadmInitParams.defaults().environment().get("IMAGE_REPOSITORY"));
    }

    @Test
    void aMinorPastUpstreamEndOfLifeIsWarnedAbout() {
        java.time.LocalDate today = java.time.LocalDate.of(2026, 11, 30);
        assertTrue(new KubernetesVersion("1.26", null).endOfLifeWarning(today).orElseThrow().contains("end of life on 2024-02-28"));
        assertTrue(new KubernetesVersion("1.37", null).endOfLifeWarning(today).isEmpty());
        assertEquals(KubernetesVersion.SUPPORTED_MINORS.size(), KubernetesVersion.END_OF_LIFE.size());
    }
}
