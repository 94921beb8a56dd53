package io.jenkins.plugins.kubeadm.core.plan;

import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.phases.ClusterPhase;
import io.jenkins.plugins.kubeadm.core.phases.Phase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KubeadmClusterPlanTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static List<Map<String, Object>> calls(Object... keysAndValues) {
        Map<String, Object> args = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            args.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return KubeadmClusterPlan.stepCalls(args);
    }

    private static List<Object> steps(List<Map<String, Object>> calls) {
        return calls.stream().map(c -> c.get("step")).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> argumentsOf(List<Map<String, Object>> calls, String step) {
        return (Map<String, Object>) calls.stream().filter(c -> c.get("step").equals(step)).findFirst().orElseThrow().get("arguments");
    }

    @Test
    void thePhasesRunInTheOneOrderWithThePodNetworkBeforeTheWorkers() {
        assertEquals(List.of("resetNode", "prepareNode", "installRuntime", "kubeadmInit", "applyCni", "joinWorkers", "deployWorkload",
                "installGpuPlugin", "verifyCluster"), Phase.ORDER.stream().map(Phase::step).toList());
        assertEquals(List.of("prepareNode", "installRuntime", "kubeadmInit", "applyCni", "joinWorkers"), steps(calls()));
        assertEquals(List.of("resetNode", "prepareNode", "installRuntime", "kubeadmInit", "applyCni", "joinWorkers", "deployWorkload",
                "installGpuPlugin", "verifyCluster"), steps(calls("reset", true, "workloadManifestText", "kind: List", "gpu", true,
                "verify", true)));
        assertEquals(Phase.CNI, Phase.ofStep("applyCni"));
    }

    @Test
    void thePlanBuildsOnePhaseObjectPerPhaseInTheOneOrder() {
        KubeadmClusterPlan plan = KubeadmClusterPlan.of(Map.of("reset", true, "gpu", true, "discoveryTimeoutSeconds", 90, "verify", true));
        List<Phase> reversed = new ArrayList<>(plan.phases());
        Collections.reverse(reversed);
        assertEquals(plan.phases(), plan.clusterPhases(reversed, Duration.ofMinutes(5)).stream().map(ClusterPhase::phase).toList());
        assertEquals(List.of(Phase.RESET, Phase.PREPARE, Phase.RUNTIME, Phase.CONTROL_PLANE, Phase.CNI, Phase.WORKERS, Phase.GPU,
                Phase.VERIFY), plan.phases());
        // The checks go to verifyCluster with the control-plane agent that reaches the API server; a bad probe image fails first.
        assertEquals(Map.of("controlPlaneLabel", "k8s-control-plane", "probeImage", "10.0.0.5:5000/busybox:1.36.1", "unstableOnFailure", true),
                KubeadmClusterPlan.of(Map.of("verify", true, "probeImage", "10.0.0.5:5000/busybox:1.36.1", "unstableOnFailure", true))
                        .arguments(Phase.VERIFY));
        assertThrows(ParameterException.class, () -> KubeadmClusterPlan.of(Map.of("verify", true, "probeImage", "not an image")));
    }

    @Test
    void everyPhaseOnANodeRunsItsOwnScript() {
        for (Phase phase : Phase.ORDER) {
            if (phase.script() != null) {
                assertTrue(Files.isRegularFile(ROOT.resolve("resources/kubeadm/scripts").resolve(phase.script())), phase + ": " + phase.script());
            } else {
                assertEquals(Phase.Nodes.CLUSTER_API, phase.nodes(), phase + " has no script, so it only talks to the API server");
            }
        }
    }

    @Test
    void aSiteWithoutInternetGivesEachStepItsMirror() {
        List<Map<String, Object>> calls = calls("aptRepository", "http://10.0.0.5:8080/k8s/", "registryMirror", "http://10.0.0.5:5000",
                "imageRepository", "10.0.0.5:5000/k8s", "etcdImageTag", "3.5.21-0", "corednsImageTag", "v1.12.0",
                "ignorePreflightErrors", "Swap", "cniManifestUrl", "http://10.0.0.5:8080/flannel.yml", "kubernetesVersion", "1.34");
        assertEquals(Map.of("label", "k8s-control-plane || k8s-worker", "kubernetesVersion", "1.34",
                "aptRepository", "http://10.0.0.5:8080/k8s/", "registryMirror", "http://10.0.0.5:5000"), argumentsOf(calls, "installRuntime"));
        assertEquals(Map.of("label", "k8s-control-plane", "imageRepository", "10.0.0.5:5000/k8s", "etcdImageTag", "3.5.21-0",
                "corednsImageTag", "v1.12.0", "ignorePreflightErrors", "Swap"), argumentsOf(calls, "kubeadmInit"));
        assertEquals(Map.of("label", "k8s-worker", "controlPlaneLabel", "k8s-control-plane", "ignorePreflightErrors", "Swap",
                "waitForReady", true),
                argumentsOf(calls, "joinWorkers"));
        assertEquals(Map.of("controlPlaneLabel", "k8s-control-plane", "cni", "flannel", "manifestUrl", "http://10.0.0.5:8080/flannel.yml"),
                argumentsOf(calls, "applyCni"));
    }

    @Test
    void anInventoryReplacesTheLabelsInEveryStep() {
        List<Map<String, Object>> calls = calls("inventory", "cp1 control-plane root@10.0.0.10\nw1 worker root@10.0.0.11",
                "sshCredentialsId", "nodes-ssh", "knownHostsCredentialsId", "nodes-known-hosts", "gpu", true);
        for (Map<String, Object> call : calls) {
            @SuppressWarnings("unchecked")
            Map<String, Object> args = (Map<String, Object>) call.get("arguments");
            assertTrue(args.containsKey("inventory") && args.get("sshCredentialsId").equals("nodes-ssh"), call.toString());
            assertTrue(!args.containsKey("label") && !args.containsKey("controlPlaneLabel"), call.toString());
        }
    }

    @Test
    void blankValuesKeepTheStepsDefaults() {
        assertEquals(Map.of("label", "k8s-control-plane || k8s-worker"), argumentsOf(calls("aptRepository", "", "kubernetesVersion", " "),
                "installRuntime"));
    }

    @Test
    void badValuesAreRefusedByTheStepsOwnChecksUnderKubeadmClustersNames() {
        assertEquals("cniVersion: 'latest' is not a release version", message("cniVersion", "latest").split(" \\(")[0]);
        assertTrue(message("cniVersion", "v0.19.0").startsWith("cniVersion: Flannel v0.19.0 is not in the add-on catalog"));
        assertTrue(message("cniIface", "eth0/1").startsWith("cniIface: "));
        assertTrue(message("gpuRuntime", "cdi").startsWith("gpuRuntime: 'cdi' is not a runtime mode"));
        assertTrue(message("registryMirror", "ftp://mirror").startsWith("registryMirror: "));
        assertTrue(message("etcdImageTag", "3.5 21").startsWith("etcdImageTag: "));
        assertTrue(message("podNetworkCidr", "10.244.0.1/16").startsWith("podNetworkCidr: '10.244.0.1/16' has host bits set"));
        assertTrue(message("kubernetesVersion", "1.20").startsWith("kubernetesVersion: minor 1.20 is not supported"));
        assertTrue(message("discoveryTimeoutSeconds", -1).startsWith("discoveryTimeoutSeconds: -1 is out of range"));
        assertTrue(message("inventory", "cp1 master root@10.0.0.1").startsWith("inventory: line 1: 'master' is not a role"));
        assertTrue(message("reset", "false").startsWith("reset: 'false' is not a boolean"));
        assertTrue(message("keepToken", "true").startsWith("keepToken: 'true' is not a boolean"));
        assertTrue(message("discoveryTimeoutSeconds", "60").startsWith("discoveryTimeoutSeconds: '60' is not a whole number"));
        assertTrue(message("workloadManifest", "a.yaml", "workloadManifestText", "kind: List").startsWith("workloadManifest: and workloadManifestText"));
    }

    @Test
    void unknownParametersAreNamedWithEveryAcceptedOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> calls("podCidr", "10.244.0.0/16", "kubeVersion", "1.35"));
        assertTrue(e.getMessage().startsWith("unknown parameter(s) kubeVersion, podCidr (accepted: cni, cniVersion, kubernetesVersion, reset, "),
                e.getMessage());
        for (String accepted : KubeadmClusterPlan.ACCEPTED) {
            assertTrue(e.getMessage().contains(accepted), accepted);
        }
    }

    /** The bundled library's help names every parameter kubeadmCluster takes. */
    @Test
    void theHelpNamesEveryParameter() throws Exception {
        String help = Files.readString(ROOT.resolve("vars/kubeadmCluster.txt"));
        for (String accepted : KubeadmClusterPlan.ACCEPTED) {
            assertTrue(help.contains("<code>" + accepted + "</code>"), accepted);
        }
    }

    private static String message(Object... keysAndValues) {
        return assertThrows(ParameterException.class, () -> calls(keysAndValues)).getMessage();
    }
}
