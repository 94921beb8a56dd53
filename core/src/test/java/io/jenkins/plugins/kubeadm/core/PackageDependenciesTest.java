package io.jenkins.plugins.kubeadm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Core's packages, read from their imports: no package imports one that imports it back, however far round. */
class PackageDependenciesTest {

    private static final String CORE = "io.jenkins.plugins.kubeadm.core.";
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?" + Pattern.quote(CORE) + "(\\w+)\\.", Pattern.MULTILINE);
    private static final Path SOURCES = Path.of("src/main/java/io/jenkins/plugins/kubeadm/core");

    static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1));
                    }
                }
                // Fully qualified names in code count too.
                Matcher inline = Pattern.compile(Pattern.quote(CORE) + "(\\w+)\\.[A-Z]").matcher(Files.readString(file));
                while (inline.find()) {
                    if (!inline.group(1).equals(pkg)) {
                        used.add(inline.group(1));
                    }
                }
            }
        }
        return uses;
    }

    @Test
    void noPackageReachesItselfThroughItsImports() throws IOException {
        Map<String, Set<String>> uses = dependencies();
        assertTrue(uses.keySet().containsAll(List.of("phases", "plan", "nodes", "params", "exec", "cluster", "secrets", "logs", "cli")),
                "read the sources: " + uses.keySet());
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            if (reaches(uses, start, start, new TreeSet<>())) {
                cycles.add(start);
            }
        }
        assertEquals(List.of(), cycles, "packages that import themselves back: " + uses);
    }

    @Test
    void theLayersPointOneWay() throws IOException {
        Map<String, Set<String>> uses = dependencies();
        // params is the bottom: every other package may check values, it checks them alone.
        assertTrue(Set.of("addons").containsAll(uses.get("params")), "params uses " + uses.get("params"));
        assertTrue(!uses.get("phases").contains("plan") && !uses.get("phases").contains("cli"), "phases uses " + uses.get("phases"));
        assertTrue(!uses.get("nodes").contains("phases") && !uses.get("cluster").contains("phases"), uses.toString());
    }

    private static boolean reaches(Map<String, Set<String>> uses, String from, String target, Set<String> seen) {
        for (String next : uses.getOrDefault(from, Set.of())) {
            if (next.equals(target)) {
                return true;
            }
            if (seen.add(next) && reaches(uses, next, target, seen)) {
                return true;
            }
        }
        return false;
    }
}
