package io.jenkins.plugins.kubeadm.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

/**
 * The lab command's options, checked before anything starts. This file depends on nothing else of
 * the project on purpose: {@code ./lab} runs it as a single-file program ({@code java LabOptions.java
 * ...}) before it installs or builds anything, so a wrong option costs a second, not a build.
 */
public record LabOptions(String command, int nodes, String cni, String kubernetesVersion, int port) {

    public static final String USAGE = String.join("\n",
            "usage: ./lab up [--nodes N] [--cni flannel] [--kubernetes-version 1.26.1] [--port 8080]",
            "       ./lab status",
            "       ./lab down",
            "",
            "  up      boots N Debian nodes on this machine (one control plane, N-1 workers), starts the Jenkins",
            "          kit with the freshly built plugin and security on, connects the nodes as SSH build agents",
            "          and builds Jenkinsfile.example: a real kubeadm cluster. The lab stays up afterwards.",
            "  status  what the lab runs: Jenkins, the build, the nodes and `kubectl get nodes`",
            "  down    removes everything up made (nodes, Jenkins and its home, network, iptables rules)",
            "",
            "  --nodes N                 2 to 6 (default 3)",
            "  --cni NAME                the pod network: flannel (default; the only add-on whose images the",
            "                            offline test bed has)",
            "  --kubernetes-version V    1.26 or 1.26.1 (default 1.26.1; the release the test bed has)",
            "  --port P                  Jenkins' port on 127.0.0.1 (default 8080)");

    static final List<String> COMMANDS = List.of("up", "down", "status", "serve");
    static final int MIN_NODES = 2;
    static final int MAX_NODES = 6;

    /** Parses and checks the arguments; throws with a message naming the option and what it accepts. */
    public static LabOptions parse(String... args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("no command given (accepted: up, status, down)");
        }
        String command = args[0];
        if (!COMMANDS.contains(command)) {
            throw new IllegalArgumentException("unknown command '" + command + "' (accepted: up, status, down)");
        }
        int nodes = 3;
        String cni = "flannel";
        String version = "1.26.1";
        int port = 8080;
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            if (!command.equals("up") && !command.equals("serve")) {
                throw new IllegalArgumentException("'" + command + "' takes no options, got '" + option + "'");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value" : "unexpected argument '" + option + "'");
            }
            String value = args[++i];
            switch (option) {
                case "--nodes" -> nodes = nodeCount(value);
                case "--cni" -> cni = cni(value);
                case "--kubernetes-version" -> version = kubernetesVersion(value);
                case "--port" -> port = port(value);
                default -> throw new IllegalArgumentException("unknown option '" + option
                        + "' (accepted: --nodes, --cni, --kubernetes-version, --port)");
            }
        }
        if (command.equals("up")) {
            requireFree(port);
        }
        return new LabOptions(command, nodes, cni, version, port);
    }

    /** The same options as arguments again (the foreground hands them to the lab's own process). */
    public List<String> asArguments(String asCommand) {
        return List.of(asCommand, "--nodes", Integer.toString(nodes), "--cni", cni, "--kubernetes-version", kubernetesVersion,
                "--port", Integer.toString(port));
    }

    private static int nodeCount(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= MIN_NODES && n <= MAX_NODES) {
                return n;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new IllegalArgumentException("--nodes: '" + value + "' is not a node count (accepted: " + MIN_NODES + " to " + MAX_NODES
                + ": one control plane and 1 to " + (MAX_NODES - 1) + " workers)");
    }

    private static String cni(String value) {
        if (value.equals("flannel")) {
            return value;
        }
        if (value.equals("weave") || value.equals("calico")) {
            throw new IllegalArgumentException("--cni: '" + value + "' needs its images from the internet, and the lab's offline test"
                    + " bed has only Flannel's (accepted: flannel; Jenkinsfile.example offers weave and calico on real machines)");
        }
        throw new IllegalArgumentException("--cni: '" + value + "' is not a pod network add-on (accepted: flannel)");
    }

    private static String kubernetesVersion(String value) {
        if (value.equals("1.26") || value.equals("1.26.1")) {
            return value;
        }
        throw new IllegalArgumentException("--kubernetes-version: '" + value + "' is not in the lab's test bed, which has the real"
                + " Kubernetes 1.26.1 built from source (accepted: 1.26 or 1.26.1)");
    }

    private static int port(String value) {
        try {
            int p = Integer.parseInt(value);
            if (p >= 1024 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new IllegalArgumentException("--port: '" + value + "' is not a port (accepted: 1024 to 65535)");
    }

    private static void requireFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
        } catch (IOException inUse) {
            throw new IllegalArgumentException("--port: " + port + " is in use on 127.0.0.1 (accepted: a free port, e.g. --port 18080)");
        }
    }

    /** {@code ./lab} checks its arguments with this before it installs or builds anything: exit 2 and the reason when wrong. */
    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            System.out.println(USAGE);
            System.exit(0);
        }
        try {
            parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ERROR: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
    }
}
