package io.jenkins.plugins.kubeadm.core.logs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Searches every regular file under a folder for secrets, byte for byte. */
public final class LeakSearch {

    private LeakSearch() {
    }

    public static List<Path> filesContaining(Path root, List<String> secrets) throws IOException {
        List<Path> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String secret : secrets) {
                    if (content.contains(new String(secret.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1))) {
                        hits.add(file);
                        break;
                    }
                }
            }
        }
        return hits;
    }
}
