package io.jenkins.plugins.kubeadm.core.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and docs/ tell people to run the node scripts as {@code sudo env VAR=value ./<step>.sh}: that
 * needs the executable bit as the repository records it (a clone gets git's mode, not the disk's).
 */
class ScriptModesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SCRIPTS = ROOT.resolve("resources/kubeadm/scripts");

    @Test
    void everyStepScriptAndEveryScriptTheReadmeNamesIsExecutableInTheRepository() throws Exception {
        TreeSet<String> expected = new TreeSet<>();
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            files.filter(p -> p.getFileName().toString().endsWith(".sh"))
                    .forEach(p -> expected.add(ROOT.relativize(p).toString()));
        }
        StringBuilder readme = new StringBuilder(Files.readString(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                readme.append('\n').append(Files.readString(doc));
            }
        }
        Matcher named = Pattern.compile("(?<![\\w/.-])(?:\\./)?([a-z][a-z0-9-]*\\.sh)\\b").matcher(readme);
        while (named.find()) {
            Path script = SCRIPTS.resolve(named.group(1));
            assertTrue(Files.isRegularFile(script), "the README names " + named.group(1) + ", which is not in " + SCRIPTS);
            expected.add(ROOT.relativize(script).toString());
        }
        expected.add(".ci/run");
        expected.add("lab");
        assertTrue(expected.size() >= 7, "found only " + expected);

        Map<String, String> modes = recordedModes(expected);
        List<String> notExecutable = new ArrayList<>();
        for (String path : expected) {
            String mode = modes.get(path);
            if (!"100755".equals(mode)) {
                notExecutable.add(path + " (" + (mode == null ? "not in the repository" : mode) + ")");
            }
        }
        assertEquals(List.of(), notExecutable, "scripts without the executable bit in git's index; fix with git update-index --chmod=+x");
    }

    /** Mode per path as git's index records it ({@code git ls-files -s}). */
    private static Map<String, String> recordedModes(TreeSet<String> paths) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("git", "-C", ROOT.toString(), "ls-files", "-s", "--"));
        argv.addAll(paths);
        Process git = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, git.waitFor(), "git ls-files failed (the tests run in a git checkout): " + out);
        Map<String, String> modes = new TreeMap<>();
        // <mode> <object> <stage>\t<path>
        out.lines().forEach(line -> {
            int tab = line.indexOf('\t');
            modes.put(line.substring(tab + 1), line.substring(0, line.indexOf(' ')));
        });
        return modes;
    }
}
