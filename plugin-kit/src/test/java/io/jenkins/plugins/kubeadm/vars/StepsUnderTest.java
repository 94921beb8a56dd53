package io.jenkins.plugins.kubeadm.vars;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The plugin's twelve steps and the parameters each accepts, read from plugin/'s step classes (their
 * {@code @DataBoundSetter}s and those of the class they extend), so the pipeline tests refuse a
 * parameter the real step would refuse.
 */
final class StepsUnderTest {

    static final Path REPOSITORY = repositoryRoot();
    private static final Path STEP_SOURCES = REPOSITORY.resolve("plugin/src/main/java/io/jenkins/plugins/kubeadm/steps");
    private static final Pattern NAME = Pattern.compile("static final String NAME = \"(\\w+)\";");
    private static final Pattern SUPERCLASS = Pattern.compile("public (?:abstract |final )?class \\w+ extends (\\w+)");
    private static final Pattern SETTER = Pattern.compile("@DataBoundSetter\\s+public void set(\\w)(\\w*)\\(");

    private StepsUnderTest() {
    }

    /** Step name to the parameter names it accepts. */
    static Map<String, Set<String>> parameters() {
        Map<String, Set<String>> steps = new TreeMap<>();
        try (Stream<Path> files = Files.list(STEP_SOURCES)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                String source = Files.readString(file);
                Matcher name = NAME.matcher(source);
                if (name.find()) {
                    steps.put(name.group(1), setters(source));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the step classes in " + STEP_SOURCES, e);
        }
        if (steps.size() != 12) {
            throw new IllegalStateException("expected the twelve steps in " + STEP_SOURCES + ", found " + steps.keySet());
        }
        return steps;
    }

    private static Set<String> setters(String source) throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher setter = SETTER.matcher(source);
        while (setter.find()) {
            names.add(setter.group(1).toLowerCase() + setter.group(2));
        }
        Matcher superclass = SUPERCLASS.matcher(source);
        if (superclass.find()) {
            Path parent = STEP_SOURCES.resolve(superclass.group(1) + ".java");
            if (Files.exists(parent)) {
                names.addAll(setters(Files.readString(parent)));
            }
        }
        return names;
    }

    /** The checkout: the first folder up from the working directory that holds vars/. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("vars/kubeadmCluster.groovy"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no vars/kubeadmCluster.groovy above " + Path.of("").toAbsolutePath());
    }
}
