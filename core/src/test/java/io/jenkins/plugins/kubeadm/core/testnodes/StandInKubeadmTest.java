package io.jenkins.plugins.kubeadm.core.testnodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stand-in kubeadm refuses what real kubeadm refuses (and unknown config fields, which real
 * kubeadm only warns about) before it looks at the machine. Only refusals are run here: anything
 * valid would go on to change the machine the build runs on.
 */
class StandInKubeadmTest {

    @TempDir
    static Path dir;
    static Path kubeadm;

    @BeforeAll
    static void install() throws IOException {
        try (InputStream in = StandInKubeadmTest.class.getResourceAsStream("/standins/kubernetes/kubeadm")) {
            kubeadm = dir.resolve("kubeadm");
            Files.writeString(kubeadm, new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@VERSION@", "1.34.1"));
        }
    }

    static Host.Result kubeadm(String... args) {
        List<String> argv = new ArrayList<>(List.of("bash", kubeadm.toString()));
        argv.addAll(List.of(args));
        return Host.exec(argv, null, 60);
    }

    static String config(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml).toString();
    }

    static void assertRefused(Host.Result result, String expected) {
        assertEquals(1, result.exitStatus(), result.stdout() + result.stderr());
        assertTrue(result.stderr().contains(expected), "expected '" + expected + "' in: " + result.stderr());
    }

    @Test
    void unknownFlagsAndFlagsMixedWithConfigAreRefused() throws IOException {
        assertRefused(kubeadm("init", "--pod-network-cidr=10.244.0.0/16", "--no-such-flag"), "unknown flag: --no-such-flag");
        assertRefused(kubeadm("join", "-x"), "unknown shorthand flag: 'x' in -x");
        assertRefused(kubeadm("reset", "--yes-really"), "unknown flag: --yes-really");
        String file = config("init.yaml", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n");
        assertRefused(kubeadm("init", "--config", file, "--pod-network-cidr=10.244.0.0/16", "--token-ttl", "1h"),
                "can not mix '--config' with arguments [pod-network-cidr token-ttl]");
        assertRefused(kubeadm("token", "create", "--config", file, "--ttl", "1h"), "can not mix '--config' with arguments [ttl]");
        assertEquals("v1.34.1\n", kubeadm("version", "-o", "short").stdout());
    }

    @Test
    void unknownFieldsKindsAndApiVersionsAreRefused() throws IOException {
        assertRefused(kubeadm("init", "--config", config("field.yaml", String.join("\n",
                "apiVersion: kubeadm.k8s.io/v1beta4", "kind: InitConfiguration", "nodeRegistration:", "  criSocket: unix:///run/x.sock",
                "  kubeletExtraArg: []", ""))), "strict decoding error: unknown field \"nodeRegistration.kubeletExtraArg\"");
        assertRefused(kubeadm("init", "--config", config("v1beta3-field.yaml", String.join("\n",
                "apiVersion: kubeadm.k8s.io/v1beta4", "kind: JoinConfiguration", "discovery:", "  timeout: 5m", ""))),
                "unknown field \"discovery.timeout\"");
        assertRefused(kubeadm("init", "--config", config("kind.yaml", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfig\n")),
                "no kind \"InitConfig\" is registered for version \"kubeadm.k8s.io/v1beta4\"");
        assertRefused(kubeadm("init", "--config", config("old.yaml", "apiVersion: kubeadm.k8s.io/v1beta2\nkind: InitConfiguration\n")),
                "your configuration file uses an old API spec: \"kubeadm.k8s.io/v1beta2\"");
        assertRefused(kubeadm("init", "--config", config("yaml.yaml", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n  bad: indent\n")),
                "error converting YAML to JSON");
        assertRefused(kubeadm("init", "--config", config("dup.yaml", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n---\n"
                + "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n")), "found multiple InitConfiguration documents");
    }

    @Test
    void badTokensAndJoinConfigurationsAreRefused() throws IOException {
        assertRefused(kubeadm("token", "create", "ABCDEF.0123456789abcdef"), "was not of the form");
        assertRefused(kubeadm("token", "create", "abcdef.0123456789abcdef", "--ttl", "30 minutes"), "time: invalid duration");
        assertRefused(kubeadm("join", "--config", config("join.yaml", String.join("\n",
                "apiVersion: kubeadm.k8s.io/v1beta4", "kind: JoinConfiguration", "discovery:", "  bootstrapToken:",
                "    apiServerEndpoint: 10.0.0.1:6443", "    token: abcdef.0123456789abcdef", ""))),
                "using token-based discovery without caCertHashes can be unsafe");
        assertRefused(kubeadm("join", "--config", config("join-hash.yaml", String.join("\n",
                "apiVersion: kubeadm.k8s.io/v1beta4", "kind: JoinConfiguration", "discovery:", "  bootstrapToken:",
                "    apiServerEndpoint: 10.0.0.1:6443", "    token: abcdef.0123456789abcdef", "    caCertHashes:", "    - md5:1234", ""))),
                "invalid discovery token CA certificate hash");
        assertRefused(kubeadm("init", "--config", config("ttl.yaml", String.join("\n",
                "apiVersion: kubeadm.k8s.io/v1beta4", "kind: InitConfiguration", "bootstrapTokens:", "- token: abcdef.0123456789abcdef",
                "  ttl: soon", ""))), "bootstrapTokens[0].ttl: Invalid value: \"soon\"");
    }
}
