package io.jenkins.plugins.kubeadm.core.params;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubeadmInitParamsTest {

    @Test
    void defaultsAreFlannelsPodNetworkTheServiceNetworkAndAThirtyMinuteToken() {
        assertEquals(Map.of("POD_NETWORK_CIDR", "10.244.0.0/16", "SERVICE_CIDR", "10.96.0.0/12", "JOIN_TOKEN_TTL", "30m",
                "CONTROL_PLANE_SCHEDULABLE", "false"), KubeadmInitParams.defaults().environment());
    }

    @Test
    void givenValuesReachTheScriptNormalised() {
        KubeadmInitParams p = KubeadmInitParams.of("10.32.0.0/12", "172.16.0.0/16", "192.168.56.10", "CP.Lab.Example:6443",
                "v1.34.1", "1h30m", true);
        assertEquals(Map.of("POD_NETWORK_CIDR", "10.32.0.0/12", "SERVICE_CIDR", "172.16.0.0/16",
                "APISERVER_ADVERTISE_ADDRESS", "192.168.56.10", "CONTROL_PLANE_ENDPOINT", "cp.lab.example:6443",
                "KUBERNETES_VERSION", "1.34.1", "JOIN_TOKEN_TTL", "1h30m", "CONTROL_PLANE_SCHEDULABLE", "true"), p.environment());
        assertEquals("10.0.0.5", KubeadmInitParams.of(null, null, null, "10.0.0.5", null, null, false).controlPlaneEndpoint());
    }

    @Test
    void badInputIsRejectedNamingTheParameter() {
        ParameterException overlap = assertThrows(ParameterException.class,
                () -> KubeadmInitParams.of("10.96.0.0/16", null, null, null, null, null, false));
        assertEquals("serviceCidr", overlap.parameter());
        assertTrue(overlap.getMessage().contains("overlaps podNetworkCidr 10.96.0.0/16"), overlap.getMessage());
        assertEquals("podNetworkCidr", assertThrows(ParameterException.class,
                () -> KubeadmInitParams.of("10.244.1.0/16", null, null, null, null, null, false)).parameter());
        assertEquals("apiServerAdvertiseAddress", assertThrows(ParameterException.class,
                () -> KubeadmInitParams.of(null, null, "192.168.56", null, null, null, false)).parameter());
        for (String endpoint : new String[] {"cp_lab:6443", "cp.lab:99999", "http://cp.lab", "10.0.0.300:6443"}) {
            assertEquals("controlPlaneEndpoint", assertThrows(ParameterException.class,
                    () -> KubeadmInitParams.of(null, null, null, endpoint, null, null, false)).parameter(), endpoint);
        }
        assertEquals("kubernetesVersion", assertThrows(ParameterException.class,
                () -> KubeadmInitParams.of(null, null, null, null, "1.25", null, false)).parameter());
        for (String ttl : new String[] {"0", "30", "59s", "25h", "24h1s", "1d", "30 m"}) {
            assertEquals("joinTokenTtl", assertThrows(ParameterException.class,
                    () -> KubeadmInitParams.of(null, null, null, null, null, ttl, false)).parameter(), ttl);
        }
        assertEquals("24h", KubeadmInitParams.of(null, null, null, null, null, "24h", false).joinTokenTtl());
        assertEquals("90s", KubeadmInitParams.of(null, null, null, null, null, "90s", false).joinTokenTtl());
    }

    /** The script states the same defaults in its --help (which runs without root). */
    @Test
    void theScriptHasTheSameDefaults() throws IOException, InterruptedException {
        Process help = new ProcessBuilder("bash", Path.of("..", "resources", "kubeadm", "scripts", "kubeadm-init.sh").toString(), "--help")
                .redirectErrorStream(true).start();
        String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, help.waitFor(), text);
        assertTrue(text.contains("(default: " + KubeadmInitParams.DEFAULT_POD_NETWORK_CIDR + ","), text);
        assertTrue(text.contains("(default: " + KubeadmInitParams.DEFAULT_SERVICE_CIDR + ")"), text);
        assertTrue(text.contains("(default: " + KubeadmInitParams.DEFAULT_JOIN_TOKEN_TTL + ")"), text);
    }
}
