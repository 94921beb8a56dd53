package io.jenkins.plugins.kubeadm.core.logs;

import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The layout of a run's logs: {@code <outputDir>/kubeadm-logs/<node>/<NN>-<step>.log}, NN counting
 * the steps of each node from 01. Every file is written through the run's {@link SecretRedactor}.
 *
 * <p>Numbering continues after the files already in a node's folder, so a second run into the same
 * folder (a rebuild in the same workspace) never overwrites the first; give each run its own
 * output folder for a clean listing.
 */
public final class StepLogs {

    public static final String DIRECTORY = "kubeadm-logs";

    private static final Pattern STEP_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern NUMBERED_LOG = Pattern.compile("(\\d{2,})-.*\\.log");
    private static final int MAX_NODE_DIRECTORY_LENGTH = 100;

    private final Path root;
    private final SecretRedactor redactor;
    /** Guards the map. */
    private final Object lock = new Object();
    private final Map<String, String> nodeByDirectory = new HashMap<>();

    /**
     * Numbering locks shared by every StepLogs of this process, one stripe per node folder: steps in
     * parallel branches of one build each have their own StepLogs over the same folders, and each must
     * see the others' files before it takes the next number.
     */
    private static final Object[] FOLDER_LOCKS = new Object[64];

    static {
        for (int i = 0; i < FOLDER_LOCKS.length; i++) {
            FOLDER_LOCKS[i] = new Object();
        }
    }

    public StepLogs(Path outputDir, SecretRedactor redactor) {
        this.root = Objects.requireNonNull(outputDir, "outputDir").resolve(DIRECTORY);
        this.redactor = Objects.requireNonNull(redactor, "redactor");
    }

    /** The folder holding {@code kubeadm-logs}, the step index and the cluster facts. */
    public Path outputDir() {
        return root.getParent();
    }

    /** {@code <outputDir>/kubeadm-logs}. */
    public Path root() {
        return root;
    }

    public SecretRedactor redactor() {
        return redactor;
    }

    /** The folder of a node's logs. */
    public Path nodeDirectory(String node) {
        return root.resolve(directoryName(node));
    }

    /**
     * Creates the next numbered log of a node and opens it. The file exists from here on, so a step
     * that fails before printing anything still leaves its log.
     *
     * @throws IllegalArgumentException for an unusable step name, or a node whose folder name
     *                                  collides with another node's
     * @throws UncheckedIOException     when the file cannot be created
     */
    public StepLog open(String node, String step) {
        if (step == null || !STEP_NAME.matcher(step).matches()) {
            throw new IllegalArgumentException("step name must match " + STEP_NAME.pattern());
        }
        String directory = directoryName(node);
        synchronized (lock) {
            String owner = nodeByDirectory.putIfAbsent(directory, node);
            if (owner != null && !owner.equals(node)) {
                throw new IllegalArgumentException("nodes '" + owner + "' and '" + node
                        + "' would share the log folder " + directory);
            }
        }
        Path nodeDir = root.resolve(directory);
        // The number comes from the folder itself, under the folder's lock, and the file is made before the
        // lock is given back: the next step sees it, whichever StepLogs it has.
        synchronized (FOLDER_LOCKS[Math.floorMod(nodeDir.toAbsolutePath().normalize().hashCode(), FOLDER_LOCKS.length)]) {
            try {
                Files.createDirectories(nodeDir);
                int sequence = highestExistingSequence(nodeDir) + 1;
                Path file = nodeDir.resolve(String.format("%02d-%s.log", sequence, step));
                return new StepLog(node, step, sequence, file, redactor, log -> StepIndex.record(outputDir(), log));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the " + step + " log of node " + node, e);
            }
        }
    }

    private static int highestExistingSequence(Path nodeDir) throws IOException {
        int highest = 0;
        try (Stream<Path> files = Files.list(nodeDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = NUMBERED_LOG.matcher(f.getFileName().toString());
                if (m.matches() && m.group(1).length() < 9) {
                    highest = Math.max(highest, Integer.parseInt(m.group(1)));
                }
            }
        }
        return highest;
    }

    /**
     * The folder name for a node: letters, digits, '.', '_' and '-' kept, anything else (path
     * separators, ':' of IPv6 addresses, spaces) becomes '_', and a leading '.' becomes '_', so the
     * name can neither leave the logs folder nor hide in it.
     */
    public static String directoryName(String node) {
        if (node == null || node.isBlank()) {
            throw new IllegalArgumentException("node name is empty");
        }
        StringBuilder name = new StringBuilder(node.length());
        for (int i = 0; i < node.length(); i++) {
            char c = node.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || (c == '.' && i > 0);
            name.append(safe ? c : '_');
        }
        if (name.length() > MAX_NODE_DIRECTORY_LENGTH) {
            throw new IllegalArgumentException("node name is longer than " + MAX_NODE_DIRECTORY_LENGTH + " characters");
        }
        return name.toString();
    }
}
