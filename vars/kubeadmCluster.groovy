// kubeadmCluster: the whole cluster build in one call, for Jenkinsfiles that need no stage of their
// own between the steps. Thin on purpose: every step it calls validates its own parameters.
def call(Map args = [:]) {
    def accepted = ['cni', 'kubernetesVersion', 'reset', 'controlPlaneLabel', 'workerLabel', 'podNetworkCidr',
                    'joinCredentialsId', 'kubeconfigCredentialsId']
    def unknown = args.keySet().findAll { !(it in accepted) }
    if (unknown) {
        error("kubeadmCluster: unknown parameter(s) ${unknown.sort().join(', ')} (accepted: ${accepted.join(', ')})")
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
    if (args.kubeconfigCredentialsId) {
        applyCni([cni: args.cni ?: 'flannel', kubeconfigCredentialsId: args.kubeconfigCredentialsId]
                + (args.podNetworkCidr ? [podCidr: args.podNetworkCidr] : [:]))
    }
}
