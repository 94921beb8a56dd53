package io.jenkins.plugins.kubeadm.kit;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import io.jenkins.plugins.kubeadm.core.exec.SshScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import io.jenkins.plugins.kubeadm.core.testnodes.StandInAptRepository;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Benchmark, not a test: prepareNode + installRuntime on three fresh test nodes, once through a
 * pipeline in the kit's Jenkins (the nodes as SSH build agents; connecting them is not timed) and once
 * through core over SSH as the command-line runner does. Prints both times and the ratio; the goal is
 * that the pipeline adds at most 10%. Run as root after {@code mvn -B -DskipTests package}:
 * {@code JENKINS_KIT=../shared/jenkins-kit mvn -B -pl plugin-kit test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.jenkins.plugins.kubeadm.kit.PipelineOverheadBenchmark}
 */
public final class PipelineOverheadBenchmark {

    private static final String VERSION = "1.34.1-1.1";

    public static void main(String[] args) throws Exception {
        double direct = direct();
        double pipeline = pipeline(Path.of(System.getProperty("kubeadm.hpi", "plugin-kit/target/kubeadm-pipeline.hpi")));
        System.out.printf("prepareNode + installRuntime on 3 nodes: command-line runner %.1f s, pipeline %.1f s, ratio %.2f%n",
                direct, pipeline, pipeline / direct);
        System.exit(0);
    }

    private static double direct() throws Exception {
        try (TestNodes nodes = TestNodes.start("cp1", "worker1", "worker2");
             StandInAptRepository repo = StandInAptRepository.serve(nodes.hostAddress(), List.of(VERSION))) {
            List<SshScriptRunner> runners = nodes.nodes().stream().map(TestNode::runner).toList();
            long start = System.nanoTime();
            // Step logs as the command-line runner writes them, so both sides do the same work.
            try (KubeadmSteps steps = new KubeadmSteps(new StepLogs(Files.createTempDirectory("benchmark-logs"), new SecretRedactor()),
                    LineSink.NONE, Duration.ofMinutes(10), Cancellation.none())) {
                steps.prepareNodes(runners, node -> PrepareNodeParams.of(node.equals("cp1") ? "control-plane" : "worker", null, null, null));
                steps.installRuntime(runners, InstallRuntimeParams.of("1.34.1", null, repo.repoUrl("1.34"), null));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            for (SshScriptRunner r : runners) {
                r.close();
            }
            return seconds;
        }
    }

    private static double pipeline(Path hpi) throws Exception {
        KitJenkins jenkins = KitJenkins.start(hpi);
        try (jenkins;
             TestNodes nodes = TestNodes.start("cp1", "worker1", "worker2");
             StandInAptRepository repo = StandInAptRepository.serve(nodes.hostAddress(), List.of(VERSION))) {
            jenkins.awaitUp(Duration.ofMinutes(4));
            KitLab.connectAgents(jenkins, nodes, Map.of());
            jenkins.pipelineJob("bench", String.join("\n",
                    "prepareNode(label: 'k8s-control-plane || k8s-worker')",
                    "installRuntime(label: 'k8s-control-plane || k8s-worker', kubernetesVersion: '1.34.1', aptRepository: '"
                            + repo.repoUrl("1.34") + "')"));
            KitJenkins.Build b = jenkins.build("bench", Duration.ofMinutes(20));
            if (!"SUCCESS".equals(b.result())) {
                throw new IllegalStateException("the benchmark build failed:\n" + b.console());
            }
            // The build's own duration: from start to end of the pipeline, agents already connected.
            String duration = jenkins.get("job/bench/" + b.number() + "/api/json?tree=duration").body().replaceAll("\\D", "");
            return Long.parseLong(duration) / 1000.0;
        } finally {
            jenkins.close();
            jenkins.deleteHome();
        }
    }
}
