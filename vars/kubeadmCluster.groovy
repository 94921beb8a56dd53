import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog
import io.jenkins.plugins.kubeadm.core.cluster.Cni
import io.jenkins.plugins.kubeadm.core.params.ParameterException
import io.jenkins.plugins.kubeadm.core.params.Validators

// kubeadmCluster: the whole cluster build in one call, for Jenkinsfiles that need no stage of their
// own between the steps. Thin on purpose: every step it calls validates its own parameters; the values
// checked here are the ones that would otherwise only fail after earlier steps changed the nodes.
def call(Map args = [:]) {
    def accepted = ['cni', 'cniVersion', 'kubernetesVersion', 'reset', 'controlPlaneLabel', 'workerLabel', 'podNetworkCidr',
                    'joinCredentialsId', 'kubeconfigCredentialsId']
    def unknown = args.keySet().findAll { !(it in accepted) }
    if (unknown) {
        error("kubeadmCluster: unknown parameter(s) ${unknown.sort().join(', ')} (accepted: ${accepted.join(', ')})")
    }
    // A string such as 'false' would be true in Groovy and wipe every node.
    if (args.reset != null && !(args.reset instanceof Boolean)) {
        error("kubeadmCluster: reset: '${args.reset}' is not a boolean (accepted: true or false, for example params.RESET of a booleanParam)")
    }
    try {
        // applyCni runs last: a CNI version the catalog does not pin must fail before the nodes change.
        Cni.parse('cni', args.cni as String).release(AddonCatalog.load(), 'cniVersion', args.cniVersion as String)
        if (args.kubernetesVersion) {
            Validators.kubernetesVersion('kubernetesVersion', args.kubernetesVersion as String)
        }
        if (args.podNetworkCidr) {
            Validators.cidr('podNetworkCidr', args.podNetworkCidr as String)
        }
    } catch (ParameterException e) {
        error("kubeadmCluster: ${e.message}")
    }
    String controlPlane = args.controlPlaneLabel ?: 'k8s-control-plane'
    String workers = args.workerLabel ?: 'k8s-worker'
    String everyNode = "${controlPlane} || ${workers}"
    Map join = args.joinCredentialsId ? [joinCredentialsId: args.joinCredentialsId] : [:]

    if (args.reset) {
        resetNode(label: everyNode)
    }
    prepareNode(label: everyNode)
    installRuntime([label: everyNode] + (args.kubernetesVersion ? [kubernetesVersion: args.kubernetesVersion] : [:]))
    kubeadmInit([label: controlPlane] + join + (args.podNetworkCidr ? [podNetworkCidr: args.podNetworkCidr] : [:]))
    joinWorkers([label: workers] + join)
    // After the join, so applyCni's wait for every node Ready covers the workers too. Without a
    // kubeconfig credential it runs on the control-plane agent, whose admin kubeconfig stays there.
    applyCni([cni: args.cni ?: 'flannel', controlPlaneLabel: controlPlane]
            + (args.kubeconfigCredentialsId ? [kubeconfigCredentialsId: args.kubeconfigCredentialsId] : [:])
            + (args.podNetworkCidr ? [podCidr: args.podNetworkCidr] : [:])
            + (args.cniVersion ? [version: args.cniVersion] : [:]))
}
