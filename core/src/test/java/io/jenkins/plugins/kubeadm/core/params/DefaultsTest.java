package io.jenkins.plugins.kubeadm.core.params;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.secrets.JoinCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DefaultsTest {

    private static final Path SCRIPTS = Path.of("..").toAbsolutePath().normalize().resolve("resources/kubeadm/scripts");

    @Test
    void theTablesCoverEverySupportedMinorAndTheDefaultIsOne() {
        assertTrue(Defaults.SUPPORTED_MINORS.contains(Defaults.DEFAULT_MINOR));
        assertEquals(Defaults.SUPPORTED_MINORS.get(Defaults.SUPPORTED_MINORS.size() - 1), Defaults.DEFAULT_MINOR,
                "the default is the newest supported minor");
        for (String minor : Defaults.SUPPORTED_MINORS) {
            assertTrue(Defaults.END_OF_LIFE.containsKey(minor), "no end of life for " + minor);
            assertTrue(Defaults.PAUSE_IMAGES.get(minor).startsWith("registry.k8s.io/pause:"), "no pause image for " + minor);
        }
        assertEquals(Defaults.SUPPORTED_MINORS.size(), Defaults.END_OF_LIFE.size());
        assertEquals(Defaults.SUPPORTED_MINORS.size(), Defaults.PAUSE_IMAGES.size());
        assertEquals(Defaults.DEFAULT_MINOR, KubernetesVersion.defaultVersion().minor());
    }

    @Test
    void onlyQuotedValuesWithoutExpansionsAreAccepted() {
        assertEquals("a b", Defaults.parse("# c\n\nX=\"a b\"\n").get("X"));
        assertThrows(IllegalStateException.class, () -> Defaults.parse("X=unquoted\n"));
        assertThrows(IllegalStateException.class, () -> Defaults.parse("X=\"$(id)\"\n"));
        assertThrows(IllegalStateException.class, () -> Defaults.parse("X=\"a\"\nX=\"b\"\n"));
    }

    /** The node scripts source the same file: what bash sees is what Java reads. */
    @Test
    void theNodeScriptsSeeTheSameValuesAsJava() throws Exception {
        StringBuilder script = new StringBuilder(". lib/common.sh\n"
                + "printf '%s\\n' \"$SUPPORTED_KUBERNETES_MINORS\" \"$DEFAULT_KUBERNETES_MINOR\" \"$CONTAINERD_CRI_SOCKET\"\n");
        for (String minor : Defaults.SUPPORTED_MINORS) {
            script.append("default_pause_image ").append(minor).append("\nkubeadm_api_version ").append(minor).append('\n');
        }
        Process p = new ProcessBuilder("bash", "-c", script.toString()).directory(SCRIPTS.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.exitValue(), String.join("\n", lines));
        assertEquals(String.join(" ", Defaults.SUPPORTED_MINORS), lines.get(0));
        assertEquals(Defaults.DEFAULT_MINOR, lines.get(1));
        assertEquals(JoinCommand.CONTAINERD_CRI_SOCKET, lines.get(2));
        List<String> expected = new ArrayList<>();
        for (String minor : Defaults.SUPPORTED_MINORS) {
            expected.add(Defaults.PAUSE_IMAGES.get(minor));
            expected.add(JoinCommand.kubeadmApiVersion(minor));
        }
        assertEquals(expected, lines.subList(3, lines.size()));
    }

    /** A table or default written into a script again would drift from the file. */
    @Test
    void noScriptSetsWhatTheDefaultsFileSets() throws Exception {
        List<Path> scripts;
        try (Stream<Path> files = Files.walk(SCRIPTS)) {
            scripts = files.filter(f -> f.toString().endsWith(".sh")).toList();
        }
        assertFalse(scripts.isEmpty());
        for (Path script : scripts) {
            String text = Files.readString(script);
            for (String key : List.of("SUPPORTED_KUBERNETES_MINORS", "DEFAULT_KUBERNETES_MINOR", "KUBERNETES_END_OF_LIFE", "PAUSE_IMAGES",
                    "CONTAINERD_CRI_SOCKET", "FIRST_V1BETA4_MINOR")) {
                assertFalse(text.matches("(?s).*(^|\\n)\\s*(readonly\\s+)?" + key + "=.*"), script.getFileName() + " sets " + key);
            }
            assertFalse(text.matches("(?s).*\\)\\s*echo\\s+\\S*pause:.*"), script.getFileName() + " has a table of pause images");
        }
    }

    /** What the README and docs/ say of the defaults is what defaults.env holds. */
    @Test
    void theDocumentationStatesTheDefaultsOfTheFile() throws Exception {
        Path root = SCRIPTS.getParent().getParent().getParent();
        String first = Defaults.SUPPORTED_MINORS.get(0);
        String last = Defaults.SUPPORTED_MINORS.get(Defaults.SUPPORTED_MINORS.size() - 1);
        String readme = Files.readString(root.resolve("README.md"));
        assertTrue(readme.contains("Kubernetes " + first + " to " + last + ", default " + Defaults.DEFAULT_MINOR), "README.md");
        String scripts = Files.readString(root.resolve("docs/node-scripts.md"));
        assertTrue(scripts.contains("Kubernetes minors\n" + first + " to " + last) || scripts.contains("Kubernetes minors " + first + " to " + last),
                "docs/node-scripts.md names the supported minors");
        assertTrue(scripts.contains("(default " + Defaults.DEFAULT_MINOR + ")"), "docs/node-scripts.md names the default minor");
        assertTrue(scripts.contains("| `KUBERNETES_VERSION` | `" + Defaults.DEFAULT_MINOR + "` |"), "docs/node-scripts.md KUBERNETES_VERSION row");
        assertTrue(scripts.contains("| `POD_NETWORK_CIDR` | `" + Defaults.POD_NETWORK_CIDR + "`"), "docs/node-scripts.md POD_NETWORK_CIDR row");
        assertTrue(scripts.contains("| `SERVICE_CIDR` | `" + Defaults.SERVICE_CIDR + "`"), "docs/node-scripts.md SERVICE_CIDR row");
        // The pause image row: "`registry.k8s.io/pause:3.9` for 1.26-1.30, `3.10` for 1.31-1.33, ..."
        java.util.regex.Matcher row = java.util.regex.Pattern.compile("\\| `PAUSE_IMAGE` \\| ([^|]+)\\|").matcher(scripts);
        assertTrue(row.find(), "docs/node-scripts.md PAUSE_IMAGE row");
        java.util.regex.Matcher range = java.util.regex.Pattern.compile("`(?:registry\\.k8s\\.io/pause:)?([0-9.]+)` for (1\\.[0-9]+)-(1\\.[0-9]+)")
                .matcher(row.group(1));
        java.util.Map<String, String> documented = new java.util.HashMap<>();
        while (range.find()) {
            int from = Defaults.SUPPORTED_MINORS.indexOf(range.group(2));
            int to = Defaults.SUPPORTED_MINORS.indexOf(range.group(3));
            for (String minor : Defaults.SUPPORTED_MINORS.subList(from, to + 1)) {
                documented.put(minor, "registry.k8s.io/pause:" + range.group(1));
            }
        }
        assertEquals(Defaults.PAUSE_IMAGES, documented, "docs/node-scripts.md PAUSE_IMAGE row");
        String plugin = Files.readString(root.resolve("docs/plugin.md"));
        assertTrue(plugin.contains("`podNetworkCidr` (" + Defaults.POD_NETWORK_CIDR + "), `serviceCidr` (" + Defaults.SERVICE_CIDR + ")"),
                "docs/plugin.md kubeadmInit row");
    }
}
