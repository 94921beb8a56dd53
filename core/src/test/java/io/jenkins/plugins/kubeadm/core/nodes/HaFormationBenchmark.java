package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.exec.Cancellation;
import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.logs.StepLogs;
import io.jenkins.plugins.kubeadm.core.phases.Phase;
import io.jenkins.plugins.kubeadm.core.plan.ClusterRun;
import io.jenkins.plugins.kubeadm.core.plan.KubeadmClusterPlan;
import io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor;
import io.jenkins.plugins.kubeadm.core.testnodes.KubernetesTestBed;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark, not a test: how much longer three control planes behind haproxy on every node take to
 * form than one, both with one worker, Flannel and every node Ready, through kubeadmCluster's plan
 * (core's ClusterRun) on fresh nodes. Prints both times and the ratio. As root:
 * {@code mvn -B -pl core test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.jenkins.plugins.kubeadm.core.nodes.HaFormationBenchmark}
 */
public final class HaFormationBenchmark {

    private static final List<Phase> FORMATION = List.of(Phase.PREPARE, Phase.RUNTIME, Phase.CONTROL_PLANE, Phase.CNI, Phase.WORKERS);

    public static void main(String[] args) throws Exception {
        KubernetesTestBed bed = KubernetesTestBed.ensure();
        double single = formed("one control plane", bed, List.of("cp1", "worker1"), null);
        double ha = formed("three control planes, haproxy on every node", bed, List.of("cp1", "cp2", "cp3", "worker1"), "haproxy");
        System.out.printf("%nRESULT one control plane: %.1f s, three behind haproxy: %.1f s, ratio %.2f%n", single, ha, ha / single);
        System.exit(0);
    }

    /** @return the seconds from fresh nodes to a Ready cluster */
    static double formed(String name, KubernetesTestBed testBed, List<String> names, String loadBalancer) throws Exception {
        try (RealTestBed bed = RealTestBed.start(testBed, names.toArray(String[]::new))) {
            String inventory = bed.inventoryText();
            Map<String, ScriptRunner> runners = new LinkedHashMap<>();
            for (TestNode n : bed.nodes().nodes()) {
                runners.put(n.name(), n.runner());
            }
            Map<String, Object> values = bed.planValues(inventory);
            if (loadBalancer != null) {
                values.put("apiServerLoadBalancer", loadBalancer);
            }
            Path workspace = Files.createTempDirectory("ha-benchmark");
            System.out.println("==> " + name);
            long start = System.nanoTime();
            try (ClusterRun run = new ClusterRun(KubeadmClusterPlan.of(values), Inventory.parse(
                    inventory), runners, new StepLogs(workspace, new SecretRedactor()), (node, stream, text) -> { },
                    System.out::println, Duration.ofMinutes(10), Cancellation.none())) {
                run.run(FORMATION);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("==> %s: a Ready cluster in %.1f s%n", name, seconds);
            for (ScriptRunner r : runners.values()) {
                r.close();
            }
            return seconds;
        }
    }
}
