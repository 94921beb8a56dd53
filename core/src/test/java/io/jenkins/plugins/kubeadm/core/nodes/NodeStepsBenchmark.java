package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.testnodes.StandInAptRepository;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import java.time.Duration;
import java.util.List;

/**
 * Benchmark, not a test: prepareNode + installRuntime on one fresh node versus three fresh nodes in
 * parallel. Prints both times and their ratio (1.0 would be perfect parallelism). Run as root:
 * {@code mvn -B -pl core test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.jenkins.plugins.kubeadm.core.nodes.NodeStepsBenchmark}
 */
public final class NodeStepsBenchmark {

    public static void main(String[] args) throws Exception {
        double one = timeSteps("bench1");
        double three = timeSteps("bench1", "bench2", "bench3");
        System.out.printf("prepareNode + installRuntime: 1 node %.1f s, 3 nodes in parallel %.1f s, ratio %.2f%n", one, three, three / one);
        System.exit(0);
    }

    private static double timeSteps(String... names) throws Exception {
        try (TestNodes nodes = TestNodes.start(names);
             StandInAptRepository repo = StandInAptRepository.serve(nodes.hostAddress(), List.of("1.34.1-1.1"))) {
            List<SshScriptRunner> runners = nodes.nodes().stream().map(TestNode::runner).toList();
            long start = System.nanoTime();
            NodeSteps.prepareNodes(runners, node -> PrepareNodeParams.of("worker", node, null, null), LineSink.NONE,
                    Duration.ofMinutes(10), Cancellation.none());
            NodeSteps.installRuntime(runners, InstallRuntimeParams.of("1.34", null, repo.repoUrl("1.34"), null), LineSink.NONE,
                    Duration.ofMinutes(10), Cancellation.none());
            double seconds = (System.nanoTime() - start) / 1e9;
            for (SshScriptRunner r : runners) {
                r.close();
            }
            return seconds;
        }
    }
}
