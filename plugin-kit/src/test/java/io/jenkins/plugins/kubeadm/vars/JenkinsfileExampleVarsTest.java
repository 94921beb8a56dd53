package io.jenkins.plugins.kubeadm.vars;

import groovy.lang.Closure;
import io.jenkins.plugins.kubeadm.core.phases.Phase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.codehaus.groovy.runtime.typehandling.DefaultTypeTransformation;
import org.junit.Before;
import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Jenkinsfile.example run under JenkinsPipelineUnit. Release 1.1 has no Declarative support (its
 * DeclarativePipelineTest came later), so the Declarative directives the file uses are registered here
 * with Jenkins' meaning: parameters give their defaults to {@code params} unless the build sets them,
 * a stage whose {@code when} expression is false is skipped, {@code post.always} runs last.
 */
public class JenkinsfileExampleVarsTest extends PipelineUnitBase {

    private static final String EVERY_NODE = "k8s-control-plane || k8s-worker";

    private final Map<String, Object> params = new LinkedHashMap<>();
    private final Map<String, Map<?, ?>> parameterDefinitions = new LinkedHashMap<>();
    private final List<String> crons = new ArrayList<>();
    private final List<String> options = new ArrayList<>();
    private final List<Object> agents = new ArrayList<>();
    /** The labels of node blocks, each with the junit reports published inside it. */
    private final List<String> nodeBlocks = new ArrayList<>();
    private final List<String> stagesRun = new ArrayList<>();
    private final List<String> stagesSkipped = new ArrayList<>();
    private String stage;
    private boolean stageWanted;

    @Before
    public void declarativeDirectives() {
        getBinding().setVariable("params", params);
        getBinding().setVariable("none", "none");
        allow("pipeline", List.of(Closure.class), args -> run(args[0]));
        allow("agent", List.of(Object.class), args -> agents.add(args[0]));
        allow("parameters", List.of(Closure.class), args -> run(args[0]));
        allow("choice", List.of(Map.class), args -> parameter((Map<?, ?>) args[0], ((List<?>) ((Map<?, ?>) args[0]).get("choices")).get(0)));
        allow("string", List.of(Map.class), args -> parameter((Map<?, ?>) args[0], ((Map<?, ?>) args[0]).get("defaultValue")));
        allow("booleanParam", List.of(Map.class), args -> parameter((Map<?, ?>) args[0], ((Map<?, ?>) args[0]).get("defaultValue")));
        allow("text", List.of(Map.class), args -> parameter((Map<?, ?>) args[0], ((Map<?, ?>) args[0]).get("defaultValue")));
        allow("triggers", List.of(Closure.class), args -> run(args[0]));
        allow("cron", List.of(String.class), args -> crons.add((String) args[0]));
        allow("options", List.of(Closure.class), args -> run(args[0]));
        allow("timestamps", List.of(), args -> options.add("timestamps"));
        allow("disableConcurrentBuilds", List.of(), args -> options.add("disableConcurrentBuilds"));
        allow("logRotator", List.of(Map.class), args -> "logRotator" + args[0]);
        allow("buildDiscarder", List.of(Object.class), args -> options.add("buildDiscarder(" + args[0] + ")"));
        allow("timeout", List.of(Map.class), args -> options.add("timeout" + args[0]));
        allow("stages", List.of(Closure.class), args -> run(args[0]));
        allow("stage", List.of(String.class, Closure.class), args -> {
            stage = (String) args[0];
            stageWanted = true;
            return run(args[1]);
        });
        allow("when", List.of(Closure.class), args -> run(args[0]));
        allow("expression", List.of(Closure.class), args -> stageWanted &= DefaultTypeTransformation.castToBoolean(run(args[0])));
        allow("steps", List.of(Closure.class), args -> {
            if (!stageWanted) {
                return stagesSkipped.add(stage);
            }
            stagesRun.add(stage);
            return run(args[0]);
        });
        allow("post", List.of(Closure.class), args -> run(args[0]));
        allow("always", List.of(Closure.class), args -> run(args[0]));
        allow("script", List.of(Closure.class), args -> run(args[0]));
        allow("node", List.of(String.class, Closure.class), args -> {
            nodeBlocks.add(String.valueOf(args[0]));
            return run(args[1]);
        });
        allow("input", List.of(Map.class), args -> {
            stepCalls.add(new StepCall("input", Map.of("message", String.valueOf(((Map<?, ?>) args[0]).get("message")))));
            return null;
        });
        allow("junit", List.of(String.class), args -> nodeBlocks.add(nodeBlocks.remove(nodeBlocks.size() - 1) + " junit " + args[0]));
    }

    private Object parameter(Map<?, ?> definition, Object defaultValue) {
        String name = (String) definition.get("name");
        parameterDefinitions.put(name, definition);
        return params.putIfAbsent(name, defaultValue);
    }

    private void runExample() {
        runScript("Jenkinsfile.example");
    }

    private static String manifestText(StepCall deployWorkload) {
        return (String) deployWorkload.args().get("manifestText");
    }

    @Test
    public void theWeeklyBuildRebuildsTheLabWithTheDefaultsAndNoGpu() {
        runExample();
        assertEquals(List.of(
                call("resetNode", "label", EVERY_NODE),
                call("prepareNode", "label", EVERY_NODE),
                call("installRuntime", "label", EVERY_NODE, "kubernetesVersion", "", "aptRepository", "", "registryMirror", ""),
                call("kubeadmInit", "label", "k8s-control-plane", "imageRepository", "", "apiServerLoadBalancer", "none",
                        "controlPlaneEndpoint", "", "etcdImageTag", "", "corednsImageTag", "", "ignorePreflightErrors", ""),
                call("applyCni", "cni", "flannel", "version", "", "manifestUrl", ""),
                call("joinWorkers", "label", "k8s-worker", "ignorePreflightErrors", "", "waitForReady", true),
                call("deployWorkload", "manifestText", manifestText(stepCalls.get(6)), "rollbackOnFailure", true,
                        "smokeTarget", "service/web:80"),
                call("verifyCluster", "unstableOnFailure", true, "probeImage", "")), stepCalls);
        assertEquals(List.of("Reset", "Prepare", "Runtime", "Control plane", "CNI", "Workers", "Workload", "Verify"), stagesRun);
        // The checks' report is published where it was written: in the control-plane agent's workspace.
        assertEquals(List.of("k8s-control-plane junit kubeadm-verify.xml"), nodeBlocks);
        assertEquals(List.of("Upgrade", "GPU plugin"), stagesSkipped);
        assertEquals(List.of("H 3 * * 1"), crons);
        assertEquals(List.of("none"), agents);
        assertTrue(options.toString(), options.contains("timestamps"));
        assertTrue("post { always } says where the step logs are: " + echoes,
                echoes.size() == 1 && echoes.get(0).contains("kubeadm-logs/"));
    }

    @Test
    public void theStagesRunThePhasesInCoresOneOrder() {
        params.put("GPU", true);
        runExample();
        assertEquals(Phase.ORDER.stream().map(Phase::step).toList(), stepCalls.stream().map(StepCall::step).toList());
    }

    @Test
    public void theParametersAreTheOnesTheIssueAsksFor() {
        runExample();
        assertEquals(List.of("NODES", "INVENTORY", "SSH_CREDENTIALS_ID", "KNOWN_HOSTS_CREDENTIALS_ID", "CNI", "API_SERVER_LOAD_BALANCER",
                "CONTROL_PLANE_ENDPOINT", "KUBERNETES_VERSION", "UPGRADE_TO", "GPU", "WORKLOAD_IMAGE", "WORKLOAD_PORT", "APT_REPOSITORY", "REGISTRY_MIRROR",
                "IMAGE_REPOSITORY", "ETCD_IMAGE_TAG", "COREDNS_IMAGE_TAG", "IGNORE_PREFLIGHT_ERRORS", "CNI_VERSION", "CNI_MANIFEST_URL",
                "PROBE_IMAGE"), List.copyOf(parameterDefinitions.keySet()));
        for (String mirror : List.of("APT_REPOSITORY", "REGISTRY_MIRROR", "IMAGE_REPOSITORY", "ETCD_IMAGE_TAG", "COREDNS_IMAGE_TAG",
                "IGNORE_PREFLIGHT_ERRORS", "CNI_VERSION", "CNI_MANIFEST_URL", "PROBE_IMAGE")) {
            assertEquals(mirror + " is empty by default: the steps' upstream defaults", "", parameterDefinitions.get(mirror).get("defaultValue"));
        }
        assertEquals(List.of("flannel", "weave", "calico"), parameterDefinitions.get("CNI").get("choices"));
        assertEquals("agents first: the weekly build's default", List.of("agents", "inventory"), parameterDefinitions.get("NODES").get("choices"));
        assertEquals("empty: the plugin's default minor, kept in one place", "", parameterDefinitions.get("KUBERNETES_VERSION").get("defaultValue"));
        assertEquals(false, parameterDefinitions.get("GPU").get("defaultValue"));
        assertEquals("empty: the weekly rebuild", "", parameterDefinitions.get("UPGRADE_TO").get("defaultValue"));
        assertEquals("one control plane needs no load balancer", List.of("none", "haproxy"),
                parameterDefinitions.get("API_SERVER_LOAD_BALANCER").get("choices"));
        assertEquals("", parameterDefinitions.get("CONTROL_PLANE_ENDPOINT").get("defaultValue"));
    }

    @Test
    public void anUpgradeBuildKeepsTheClusterPlansWaitsForApprovalThenUpgradesAndVerifies() {
        params.put("UPGRADE_TO", "1.35.2");
        params.put("APT_REPOSITORY", "http://mirror.lab/k8s/v1.35/deb/");
        runExample();
        assertEquals(List.of("Upgrade", "Verify"), stagesRun);
        assertEquals(List.of("Reset", "Prepare", "Runtime", "Control plane", "CNI", "Workers", "Workload", "GPU plugin"), stagesSkipped);
        assertEquals(List.of(
                call("upgradeCluster", "kubernetesVersion", "1.35.2", "aptRepository", "http://mirror.lab/k8s/v1.35/deb/",
                        "ignorePreflightErrors", "", "planOnly", true),
                call("input", "message", "Upgrade the cluster to 1.35.2? kubeadm's plan is in the log above."),
                call("upgradeCluster", "kubernetesVersion", "1.35.2", "aptRepository", "http://mirror.lab/k8s/v1.35/deb/",
                        "ignorePreflightErrors", ""),
                call("verifyCluster", "unstableOnFailure", true, "probeImage", "")), stepCalls);

        stepCalls.clear();
        stagesRun.clear();
        stagesSkipped.clear();
        params.put("NODES", "inventory");
        params.put("INVENTORY", "cp1 control-plane root@10.0.0.1");
        runExample();
        assertEquals("an inventory's lines, the same SSH credentials", "cp1 control-plane root@10.0.0.1",
                stepCalls.get(0).args().get("inventory"));
        assertEquals("kubeadm-nodes-ssh", stepCalls.get(2).args().get("sshCredentialsId"));
    }

    @Test
    public void aHighlyAvailableBuildGivesKubeadmInitItsLoadBalancerOrEndpoint() {
        params.put("API_SERVER_LOAD_BALANCER", "haproxy");
        runExample();
        assertEquals("haproxy", stepCalls.get(3).args().get("apiServerLoadBalancer"));
        assertEquals("", stepCalls.get(3).args().get("controlPlaneEndpoint"));
    }

    @Test
    public void aGpuBuildAddsTheGpuPluginLastWithTheChosenCniAndVersion() {
        params.put("CNI", "calico");
        params.put("KUBERNETES_VERSION", "1.34");
        params.put("GPU", true);
        runExample();
        assertEquals(List.of("resetNode", "prepareNode", "installRuntime", "kubeadmInit", "applyCni", "joinWorkers", "deployWorkload",
                "installGpuPlugin", "verifyCluster"), stepCalls.stream().map(StepCall::step).toList());
        assertEquals("1.34", stepCalls.get(2).args().get("kubernetesVersion"));
        assertEquals("calico", stepCalls.get(4).args().get("cni"));
        assertEquals(call("installGpuPlugin", "label", "k8s-gpu"), stepCalls.get(7));
        assertEquals(List.of("Upgrade"), stagesSkipped);
    }

    @Test
    public void theWorkloadIsAnNginxDeploymentBehindTheServiceTheSmokeCheckCalls() {
        runExample();
        String manifest = manifestText(stepCalls.get(6));
        String[] documents = manifest.split("(?m)^---$");
        assertEquals(manifest, 2, documents.length);
        assertTrue(manifest, documents[0].contains("kind: Deployment") && documents[0].contains("name: web")
                && documents[0].contains("containerPort: 80\n"));
        // Pinned, so a weekly rebuild deploys the same thing.
        assertTrue(manifest, documents[0].matches("(?s).*image: nginx:\\d+\\.\\d+\\.\\d+\\n.*"));
        assertTrue(manifest, documents[1].contains("kind: Service") && documents[1].contains("name: web")
                && documents[1].contains("- port: 80\n    targetPort: 80\n"));
    }

    @Test
    public void aSiteWithoutInternetGivesEachStepItsMirrorAndItsOwnWorkloadImage() {
        Map<String, String> site = new LinkedHashMap<>();
        site.put("APT_REPOSITORY", "http://10.0.0.5:8081/v1.26/deb/");
        site.put("REGISTRY_MIRROR", "http://10.0.0.5:5000");
        site.put("IMAGE_REPOSITORY", "10.0.0.5:5000");
        site.put("ETCD_IMAGE_TAG", "3.5.16-0");
        site.put("COREDNS_IMAGE_TAG", "v1.13.1");
        site.put("IGNORE_PREFLIGHT_ERRORS", "HTTPProxyCIDR");
        site.put("CNI_VERSION", "v0.20.2");
        site.put("CNI_MANIFEST_URL", "http://10.0.0.5:8082/kube-flannel.yml");
        site.put("WORKLOAD_IMAGE", "10.0.0.5:5000/web:1.0");
        site.put("WORKLOAD_PORT", "8080");
        params.putAll(site);
        runExample();
        assertEquals(call("installRuntime", "label", EVERY_NODE, "kubernetesVersion", "", "aptRepository", site.get("APT_REPOSITORY"),
                "registryMirror", site.get("REGISTRY_MIRROR")), stepCalls.get(2));
        assertEquals(call("kubeadmInit", "label", "k8s-control-plane", "imageRepository", "10.0.0.5:5000", "apiServerLoadBalancer", "none",
                "controlPlaneEndpoint", "", "etcdImageTag", "3.5.16-0", "corednsImageTag", "v1.13.1", "ignorePreflightErrors", "HTTPProxyCIDR"),
                stepCalls.get(3));
        assertEquals(call("applyCni", "cni", "flannel", "version", "v0.20.2", "manifestUrl", site.get("CNI_MANIFEST_URL")), stepCalls.get(4));
        assertEquals(call("joinWorkers", "label", "k8s-worker", "ignorePreflightErrors", "HTTPProxyCIDR", "waitForReady", true), stepCalls.get(5));
        String manifest = manifestText(stepCalls.get(6));
        assertTrue(manifest, manifest.contains("image: 10.0.0.5:5000/web:1.0\n") && manifest.contains("containerPort: 8080\n")
                && manifest.contains("targetPort: 8080\n"));
    }

    @Test
    public void withAnInventoryEveryStepReachesTheInventorysNodesOverSshAndNoStepUsesALabel() {
        String inventory = "cp1 control-plane root@192.168.1.10\nworker1 worker root@192.168.1.11\n";
        params.put("NODES", "inventory");
        params.put("INVENTORY", inventory);
        params.put("GPU", true);
        runExample();
        Map<String, Object> ssh = Map.of("inventory", inventory, "sshCredentialsId", "kubeadm-nodes-ssh",
                "knownHostsCredentialsId", "kubeadm-nodes-known-hosts");
        assertEquals(List.of("resetNode", "prepareNode", "installRuntime", "kubeadmInit", "applyCni", "joinWorkers", "deployWorkload",
                "installGpuPlugin", "verifyCluster"), stepCalls.stream().map(StepCall::step).toList());
        // With an inventory, the checks' report goes into any agent's workspace.
        assertEquals(List.of(" junit kubeadm-verify.xml"), nodeBlocks);
        for (StepCall step : stepCalls) {
            assertTrue(step + " reaches the nodes over SSH", step.args().entrySet().containsAll(ssh.entrySet()));
            assertTrue(step + " uses no label", !step.args().containsKey("label"));
        }
        assertEquals("", stepCalls.get(2).args().get("kubernetesVersion"));
        assertEquals("flannel", stepCalls.get(4).args().get("cni"));
    }
}
