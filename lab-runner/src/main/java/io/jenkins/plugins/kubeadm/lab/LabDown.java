package io.jenkins.plugins.kubeadm.lab;

import io.jenkins.plugins.kubeadm.core.testnodes.Host;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./lab down}: stops the lab's process (its shutdown hook takes down Jenkins, the servers and
 * the nodes), then removes whatever a crashed lab left (its nodes' network, mounts and cgroups, a
 * Jenkins still running, the folder) and checks nothing of it is left.
 */
final class LabDown {

    static final Duration STOP_TIMEOUT = Duration.ofMinutes(4);

    private LabDown() {
    }

    static int run(LabState state) throws IOException, InterruptedException {
        if (!state.exists()) {
            System.out.println("No lab is up (nothing in " + state.dir() + ").");
            return 0;
        }
        Properties recorded = state.properties();
        Optional<ProcessHandle> lab = state.labProcess();
        if (lab.isPresent()) {
            System.out.println("==> Stopping the lab (process " + lab.get().pid() + "): Jenkins, the servers, the nodes");
            lab.get().destroy();
            long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
            while (lab.get().isAlive() && System.nanoTime() < deadline) {
                try {
                    lab.get().onExit().get(15, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException stillStopping) {
                    System.out.println("    ... still stopping (" + Math.round((STOP_TIMEOUT.toNanos() - (deadline - System.nanoTime())) / 1e9)
                            + " s)");
                } catch (java.util.concurrent.ExecutionException impossible) {
                    break;
                }
            }
            if (lab.get().isAlive()) {
                System.out.println("    the lab process did not stop within " + STOP_TIMEOUT.toMinutes() + " minutes: killing it");
                lab.get().descendants().forEach(ProcessHandle::destroyForcibly);
                lab.get().destroyForcibly();
                lab.get().onExit().join();
            }
        } else {
            System.out.println("==> The lab's process is gone: removing what it left");
        }
        // A lab killed with SIGKILL never ran its shutdown hook: its Jenkins may still run, its nodes remain.
        state.recordedPid("jenkins.pid").flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains("jenkins.war")).ifPresent(jenkins -> {
                    System.out.println("    stopping the lab's Jenkins (process " + jenkins.pid() + ")");
                    jenkins.destroy();
                    jenkins.onExit().orTimeout(60, TimeUnit.SECONDS).exceptionally(t -> {
                        jenkins.destroyForcibly();
                        return jenkins;
                    }).join();
                });
        TestNodes.cleanUpAbandonedRuns();
        removeFolder(state.dir());

        List<String> left = leftovers(state, recorded);
        if (!left.isEmpty()) {
            System.out.println("ERROR: the lab is not entirely gone: " + String.join("; ", left));
            return 1;
        }
        System.out.println("The lab is down: no node, Jenkins, network link, iptables rule or file of it is left.");
        return 0;
    }

    /** What of the lab still exists: its bridge, its iptables rules, its processes, its folder. */
    static List<String> leftovers(LabState state, Properties recorded) {
        List<String> left = new ArrayList<>();
        String bridge = recorded.getProperty("bridge");
        if (bridge != null) {
            if (Host.attempt("ip", "link", "show", bridge).ok()) {
                left.add("network link " + bridge);
            }
            String rules = Host.attempt("iptables-save").stdout() + Host.attempt("iptables-save", "-t", "nat").stdout();
            if (rules.contains("kubeadm-pipeline-test-" + bridge + "\"") || rules.contains("kubeadm-pipeline-test-" + bridge + " ")) {
                left.add("iptables rules tagged kubeadm-pipeline-test-" + bridge);
            }
            ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("-M " + bridge + "-"))
                    .forEach(p -> left.add("node process " + p.pid()));
        }
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(state.dir().toString()))
                .forEach(p -> left.add("process " + p.pid() + " (" + p.info().command().orElse("?") + ")"));
        if (Files.exists(state.dir())) {
            left.add("folder " + state.dir());
        }
        return left;
    }

    static void removeFolder(Path dir) {
        Host.attempt("rm", "-rf", dir.toString());
    }
}
