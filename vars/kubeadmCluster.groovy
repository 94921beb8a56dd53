import io.jenkins.plugins.kubeadm.core.plan.KubeadmClusterPlan

// kubeadmCluster: the whole cluster build in one call, for Jenkinsfiles that need no stage of their
// own between the steps. Thin on purpose: core's KubeadmClusterPlan checks every parameter with the
// steps' own code before any node is touched, and lists the step calls in the one phase order.
def call(Map args = [:]) {
    List calls
    try {
        calls = KubeadmClusterPlan.stepCalls(args)
    } catch (IllegalArgumentException e) {
        error("kubeadmCluster: ${e.message}")
    }
    for (Map call : calls) {
        "${call.step}"(call.arguments)
    }
}
