package io.jenkins.plugins.kubeadm.vars;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import groovy.lang.Script;
import java.util.List;
import org.junit.Before;
import org.junit.Test;

/** vars/kubeadmCluster.groovy: the composite calls the steps in core's one phase order, with the user's values. */
public class KubeadmClusterVarsTest extends PipelineUnitBase {

    private static final String EVERY_NODE = "k8s-control-plane || k8s-worker";

    private Script kubeadmCluster;

    @Before
    public void loadKubeadmCluster() {
        kubeadmCluster = loadScript("vars/kubeadmCluster.groovy");
    }

    private void kubeadmCluster(Object... keysAndValues) {
        kubeadmCluster.invokeMethod("call", new Object[] {namedArguments(keysAndValues)});
    }

    private String refused(Object... keysAndValues) {
        PipelineError e = assertThrows(PipelineError.class, () -> kubeadmCluster(keysAndValues));
        assertEquals("nothing runs on a node after a refused parameter", List.of(), stepCalls);
        return e.getMessage();
    }

    @Test
    public void defaultsBuildTheClusterInOrderWithFlannelFromTheControlPlaneAgent() {
        kubeadmCluster();
        assertEquals(List.of(
                call("prepareNode", "label", EVERY_NODE),
                call("installRuntime", "label", EVERY_NODE),
                call("kubeadmInit", "label", "k8s-control-plane"),
                call("applyCni", "cni", "flannel", "controlPlaneLabel", "k8s-control-plane"),
                call("joinWorkers", "label", "k8s-worker", "controlPlaneLabel", "k8s-control-plane", "waitForReady", true)), stepCalls);
    }

    @Test
    public void everyParameterReachesTheStepThatUsesIt() {
        kubeadmCluster("cni", "calico", "kubernetesVersion", "1.34", "controlPlaneLabel", "nuc1", "workerLabel", "nuc-workers",
                "podNetworkCidr", "192.168.0.0/16", "joinCredentialsId", "lab-join", "kubeconfigCredentialsId", "lab-admin",
                "cniVersion", "v3.29.3");
        assertEquals(List.of(
                call("prepareNode", "label", "nuc1 || nuc-workers"),
                call("installRuntime", "label", "nuc1 || nuc-workers", "kubernetesVersion", "1.34"),
                call("kubeadmInit", "label", "nuc1", "joinCredentialsId", "lab-join", "podNetworkCidr", "192.168.0.0/16"),
                call("applyCni", "cni", "calico", "controlPlaneLabel", "nuc1", "kubeconfigCredentialsId", "lab-admin",
                        "podCidr", "192.168.0.0/16", "version", "v3.29.3"),
                call("joinWorkers", "label", "nuc-workers", "controlPlaneLabel", "nuc1", "joinCredentialsId", "lab-join", "waitForReady", true)), stepCalls);
        assertEquals(List.of(), echoes);
    }

    @Test
    public void podNetworkCidrIsTheSameForKubeadmInitAndApplyCni() {
        kubeadmCluster("podNetworkCidr", "10.32.0.0/12", "kubeconfigCredentialsId", "lab-admin");
        assertEquals(call("kubeadmInit", "label", "k8s-control-plane", "podNetworkCidr", "10.32.0.0/12"), stepCalls.get(2));
        assertEquals(call("applyCni", "cni", "flannel", "controlPlaneLabel", "k8s-control-plane", "kubeconfigCredentialsId", "lab-admin",
                "podCidr", "10.32.0.0/12"),
                stepCalls.get(3));
    }

    @Test
    public void resetTrueResetsEveryNodeFirst() {
        kubeadmCluster("reset", true, "kubeconfigCredentialsId", "lab-admin");
        assertEquals(List.of("resetNode", "prepareNode", "installRuntime", "kubeadmInit", "applyCni", "joinWorkers"),
                stepCalls.stream().map(StepCall::step).toList());
        assertEquals(call("resetNode", "label", EVERY_NODE), stepCalls.get(0));
    }

    @Test
    public void resetFalseResetsNothing() {
        kubeadmCluster("reset", false);
        assertEquals(List.of("prepareNode", "installRuntime", "kubeadmInit", "applyCni", "joinWorkers"),
                stepCalls.stream().map(StepCall::step).toList());
    }

    @Test
    public void unknownParametersFailNamingThemBeforeAnyStep() {
        String message = refused("cni", "flannel", "podCidr", "10.244.0.0/16", "kubeVersion", "1.35");
        assertTrue(message, message.startsWith("kubeadmCluster: unknown parameter(s) kubeVersion, podCidr (accepted: cni, "));
        assertTrue(message, message.contains("podNetworkCidr"));
    }

    @Test
    public void aResetThatIsNotABooleanFailsInsteadOfWipingTheNodes() {
        String message = refused("reset", "false");
        assertTrue(message, message.startsWith("kubeadmCluster: reset: 'false' is not a boolean"));
    }

    @Test
    public void badValuesFailWithCoresMessageBeforeAnyNodeIsTouched() {
        assertEquals("kubeadmCluster: cni: 'cilium' is not a supported CNI (accepted: flannel, weave, calico (default flannel))",
                refused("cni", "cilium", "kubeconfigCredentialsId", "lab-admin"));
        assertTrue(refused("podNetworkCidr", "10.244.0.1/16").startsWith("kubeadmCluster: podNetworkCidr: '10.244.0.1/16' has host bits set"));
        assertTrue(refused("kubernetesVersion", "1.20").startsWith("kubeadmCluster: kubernetesVersion: minor 1.20 is not supported"));
    }

    @Test
    public void aCniVersionTheCatalogDoesNotPinFailsBeforeAnyNodeIsTouched() {
        assertEquals("kubeadmCluster: cniVersion: Flannel v0.19.0 is not in the add-on catalog "
                + "(accepted: a pinned Flannel release: v0.27.4 (default), v0.20.2)", refused("cniVersion", "v0.19.0"));
        assertTrue(refused("cni", "weave", "cniVersion", "v0.20.2")
                .startsWith("kubeadmCluster: cniVersion: Weave Net v0.20.2 is not in the add-on catalog"));
        assertTrue(refused("cniVersion", "latest").startsWith("kubeadmCluster: cniVersion: 'latest' is not a release version"));
    }

    @Test
    public void anOlderPinnedFlannelReachesApplyCniAsItsVersion() {
        kubeadmCluster("cniVersion", "v0.20.2", "kubeconfigCredentialsId", "lab-admin");
        assertEquals(call("applyCni", "cni", "flannel", "controlPlaneLabel", "k8s-control-plane", "kubeconfigCredentialsId", "lab-admin",
                "version", "v0.20.2"), stepCalls.get(3));
    }

    @Test
    public void aSiteWithoutInternetBuildsTheClusterInOneCall() {
        kubeadmCluster("kubernetesVersion", "1.34", "aptRepository", "http://10.0.0.5:8080/k8s/", "registryMirror", "http://10.0.0.5:5000",
                "imageRepository", "10.0.0.5:5000/k8s", "etcdImageTag", "3.5.21-0", "corednsImageTag", "v1.12.0",
                "ignorePreflightErrors", "Swap", "cniManifestUrl", "http://10.0.0.5:8080/flannel.yml");
        assertEquals(List.of(
                call("prepareNode", "label", EVERY_NODE),
                call("installRuntime", "label", EVERY_NODE, "kubernetesVersion", "1.34", "aptRepository", "http://10.0.0.5:8080/k8s/",
                        "registryMirror", "http://10.0.0.5:5000"),
                call("kubeadmInit", "label", "k8s-control-plane", "imageRepository", "10.0.0.5:5000/k8s", "etcdImageTag", "3.5.21-0",
                        "corednsImageTag", "v1.12.0", "ignorePreflightErrors", "Swap"),
                call("applyCni", "controlPlaneLabel", "k8s-control-plane", "cni", "flannel", "manifestUrl", "http://10.0.0.5:8080/flannel.yml"),
                call("joinWorkers", "label", "k8s-worker", "controlPlaneLabel", "k8s-control-plane", "ignorePreflightErrors", "Swap", "waitForReady", true)),
                stepCalls);
    }

    @Test
    public void aWorkloadAndTheGpuPluginComeLastOverTheInventorysNodes() {
        String inventory = "cp1 control-plane root@10.0.0.10\nw1 worker root@10.0.0.11";
        kubeadmCluster("inventory", inventory, "sshCredentialsId", "nodes-ssh", "workloadManifestText", "kind: List", "smokeTarget", "service/web:80",
                "gpu", true, "gpuRuntime", "runtimeClass");
        assertEquals(List.of("prepareNode", "installRuntime", "kubeadmInit", "applyCni", "joinWorkers", "deployWorkload", "installGpuPlugin"),
                stepCalls.stream().map(StepCall::step).toList());
        assertEquals(call("deployWorkload", "inventory", inventory, "sshCredentialsId", "nodes-ssh", "manifestText", "kind: List",
                "smokeTarget", "service/web:80"), stepCalls.get(5));
        assertEquals(call("installGpuPlugin", "inventory", inventory, "sshCredentialsId", "nodes-ssh", "runtime", "runtimeClass"),
                stepCalls.get(6));
    }
}
