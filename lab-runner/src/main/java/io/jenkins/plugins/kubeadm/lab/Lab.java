package io.jenkins.plugins.kubeadm.lab;

import io.jenkins.plugins.kubeadm.core.testnodes.Host;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code ./lab up|status|down}: the README's main job. {@code up} checks its options, starts the
 * lab's own process ({@code serve}, in a session of its own so it outlives this one) and shows its
 * output until the lab is up or has failed; {@code status} and {@code down} read what the lab
 * recorded in its folder.
 */
public final class Lab {

    private Lab() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            System.out.println(LabOptions.USAGE);
            System.exit(0);
        }
        LabOptions options;
        try {
            options = LabOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ERROR: " + e.getMessage());
            System.err.println(LabOptions.USAGE);
            System.exit(2);
            return;
        }
        LabState state = LabState.here();
        int exit;
        try {
            exit = switch (options.command()) {
                case "up" -> up(options, state);
                case "serve" -> new LabDaemon(options, repository(), state).serve();
                case "status" -> status(state);
                case "down" -> LabDown.run(state);
                default -> throw new IllegalStateException(options.command());
            };
        } catch (Exception e) {
            System.err.println("ERROR: " + e.getMessage());
            exit = 1;
        }
        System.exit(exit);
    }

    /** The repository the lab builds from: {@code -Dkubeadm.lab.repo} (./lab sets it), else the working directory. */
    static Path repository() {
        return Path.of(System.getProperty("kubeadm.lab.repo", ".")).toAbsolutePath().normalize();
    }

    static int up(LabOptions options, LabState state) throws IOException, InterruptedException {
        Optional<ProcessHandle> running = state.labProcess();
        if (running.isPresent()) {
            System.err.println("ERROR: a lab is already up (process " + running.get().pid() + ", "
                    + state.properties().getProperty("jenkins.url", "Jenkins starting") + "): ./lab status shows it, ./lab down removes it");
            return 2;
        }
        List<String> missing = new ArrayList<>();
        Path hpi = repository().resolve("plugin-kit/target/kubeadm-pipeline.hpi");
        if (!Files.isRegularFile(hpi)) {
            missing.add("the plugin " + hpi + " (./lab builds it; so does mvn -B -DskipTests package)");
        }
        if (!Files.isRegularFile(repository().resolve("Jenkinsfile.example"))) {
            missing.add("Jenkinsfile.example in " + repository());
        }
        String kit = System.getenv("JENKINS_KIT");
        if (kit == null || !Files.isRegularFile(Path.of(kit, "jenkins.war"))) {
            missing.add("the Jenkins kit: JENKINS_KIT='" + kit + "' holds no jenkins.war");
        }
        String k8s = System.getenv("KUBERNETES_KIT");
        if (k8s == null || !Files.isRegularFile(Path.of(k8s, "kubernetes-1.26.1-bin.tar.xz"))) {
            missing.add("the Kubernetes binaries: KUBERNETES_KIT='" + k8s + "' holds no kubernetes-1.26.1-bin.tar.xz");
        }
        if (!missing.isEmpty()) {
            System.err.println("ERROR: the lab cannot start without " + String.join("; ", missing));
            return 2;
        }
        if (state.exists()) {
            System.out.println("==> An earlier lab's process is gone; removing what it left first");
            LabDown.run(state);
        }
        Files.createDirectories(state.dir());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of("setsid", java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "-Dkubeadm.lab.repo=" + repository(), Lab.class.getName()));
        command.addAll(options.asArguments("serve"));
        Process lab = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        System.out.println("The lab runs in its own process (" + lab.pid() + "); Ctrl-C here stops only this output, "
                + "./lab down removes the lab. Its log: " + state.log());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(lab.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(LabConsole.DETACH_MARKER)) {
                    return Integer.parseInt(line.substring(LabConsole.DETACH_MARKER.length()).trim());
                }
                System.out.println(line);
            }
        }
        int exit = lab.waitFor();
        System.err.println("The lab did not come up (exit " + exit + "); it took down what it had started.");
        return exit == 0 ? 1 : exit;
    }

    static int status(LabState state) {
        if (!state.exists()) {
            System.out.println("No lab is up (nothing in " + state.dir() + "). ./lab up starts one.");
            return 3;
        }
        Properties p = state.properties();
        Optional<ProcessHandle> lab = state.labProcess();
        if (lab.isEmpty()) {
            System.out.println("The lab's process is gone (it crashed or was killed); ./lab down removes what it left in " + state.dir());
            return 1;
        }
        System.out.println("Lab process " + lab.get().pid() + " (folder " + state.dir() + ", log " + state.log() + ")");
        System.out.println("Jenkins:  " + p.getProperty("jenkins.url", "(starting)") + "  home " + p.getProperty("jenkins.home", "-"));
        if (p.containsKey("build")) {
            System.out.println("Build:    " + p.getProperty("job") + " #" + p.getProperty("build") + " " + p.getProperty("build.result")
                    + "  " + p.getProperty("jenkins.url", "") + "job/" + p.getProperty("job") + "/" + p.getProperty("build") + "/");
        }
        String nodes = p.getProperty("nodes", "");
        System.out.println("Nodes:    " + (nodes.isEmpty() ? "(booting)" : nodes.replace(",", "  ").replace("=", " ")));
        if (!nodes.isEmpty()) {
            Host.Result kubectl = state.ssh("cp1", "kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o wide", null);
            System.out.println("kubectl get nodes (on cp1):");
            System.out.println(kubectl.ok() ? kubectl.stdout().stripTrailing() : "  (no cluster answers yet: " + kubectl.stderr().strip() + ")");
        }
        return 0;
    }
}
