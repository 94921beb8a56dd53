package io.jenkins.plugins.kubeadm.steps;

import static org.junit.Assert.assertEquals;

import java.util.Map;
import org.jenkinsci.plugins.structs.describable.DescribableModel;
import org.jenkinsci.plugins.workflow.cps.Snippetizer;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;

/**
 * What the Snippet Generator does with each step: the Groovy it writes for a configured step, and the
 * step that Groovy's arguments bind back to, field for field.
 */
public class SnippetRoundTripTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    private <T extends Step> void roundTrip(T step, String expectedSnippet) throws Exception {
        assertEquals(expectedSnippet, Snippetizer.object2Groovy(step));
        @SuppressWarnings("unchecked")
        DescribableModel<T> model = DescribableModel.of((Class<T>) step.getClass());
        Map<String, Object> arguments = model.uninstantiate2(step).toMap();
        j.assertEqualDataBoundBeans(step, model.instantiate(arguments));
        assertEquals(step.getDescriptor(), StepDescriptor.byFunctionName(expectedSnippet.split(" |\\(")[0]));
    }

    @Test
    public void everyStepRoundTripsThroughTheSnippetGenerator() throws Exception {
        PrepareNodeStep prepare = new PrepareNodeStep();
        prepare.setLabel("k8s-control-plane || k8s-worker");
        prepare.setPreflightIgnore("NumCPU");
        prepare.setTimeoutMinutes(5);
        roundTrip(prepare, "prepareNode label: 'k8s-control-plane || k8s-worker', preflightIgnore: 'NumCPU', timeoutMinutes: 5");

        InstallRuntimeStep runtime = new InstallRuntimeStep();
        runtime.setKubernetesVersion("1.34");
        runtime.setRegistryMirror("http://10.0.0.5:5000");
        roundTrip(runtime, "installRuntime kubernetesVersion: '1.34', registryMirror: 'http://10.0.0.5:5000'");

        KubeadmInitStep init = new KubeadmInitStep();
        init.setLabel("k8s-control-plane");
        init.setPodNetworkCidr("10.32.0.0/16");
        init.setControlPlaneSchedulable(true);
        init.setJoinCredentialsId("lab-join");
        roundTrip(init, "kubeadmInit controlPlaneSchedulable: true, joinCredentialsId: 'lab-join', label: 'k8s-control-plane',"
                + " podNetworkCidr: '10.32.0.0/16'");

        JoinWorkersStep join = new JoinWorkersStep();
        join.setLabel("k8s-worker");
        join.setDiscoveryTimeoutSeconds(120);
        join.setKeepToken(true);
        roundTrip(join, "joinWorkers discoveryTimeoutSeconds: 120, keepToken: true, label: 'k8s-worker'");

        ResetNodeStep reset = new ResetNodeStep();
        roundTrip(reset, "resetNode()");

        VerifyClusterStep verify = new VerifyClusterStep();
        roundTrip(verify, "verifyCluster()");
        verify.setUnstableOnFailure(true);
        verify.setReportFile("reports/cluster.xml");
        roundTrip(verify, "verifyCluster reportFile: 'reports/cluster.xml', unstableOnFailure: true");

        ApplyCniStep cni = new ApplyCniStep();
        cni.setCni("flannel");
        cni.setVersion("v0.20.2");
        cni.setKubeconfigCredentialsId("lab-kubeconfig");
        roundTrip(cni, "applyCni cni: 'flannel', kubeconfigCredentialsId: 'lab-kubeconfig', version: 'v0.20.2'");

        DeployWorkloadStep workload = new DeployWorkloadStep();
        workload.setManifest("k8s/nginx.yaml");
        workload.setRollbackOnFailure(true);
        workload.setSmokeTarget("service/nginx:80");
        roundTrip(workload, "deployWorkload manifest: 'k8s/nginx.yaml', rollbackOnFailure: true, smokeTarget: 'service/nginx:80'");

        RemoveNodeStep remove = new RemoveNodeStep();
        remove.setLabel("worker3");
        remove.setDrainTimeoutSeconds(600);
        roundTrip(remove, "removeNode drainTimeoutSeconds: 600, label: 'worker3'");

        RenewCertificatesStep certs = new RenewCertificatesStep();
        certs.setLabel("k8s-control-plane");
        certs.setWarnWithinDays(30);
        roundTrip(certs, "renewCertificates label: 'k8s-control-plane', warnWithinDays: 30");

        InstallGpuPluginStep gpu = new InstallGpuPluginStep();
        gpu.setLabel("k8s-gpu");
        gpu.setRuntime("runtimeClass");
        roundTrip(gpu, "installGpuPlugin label: 'k8s-gpu', runtime: 'runtimeClass'");
    }
}
