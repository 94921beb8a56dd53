package io.jenkins.plugins.kubeadm.core.phases;

import io.jenkins.plugins.kubeadm.core.exec.ScriptRunner;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.nodes.KubeadmSteps;
import java.util.Comparator;
import java.util.List;

/**
 * renewCertificates on the control planes (renew-certificates.sh), one at a time: the expiry table of
 * each in its log and the console; with {@code renew}, {@code kubeadm certs renew all} and the
 * control-plane containers restarted. Hands on when the first certificate expires, which the cluster
 * page shows and the plugin's step returns.
 */
public final class RenewCertificatesPhase implements ClusterPhase {

    private final boolean renew;
    private KubeadmSteps.CertificateExpiry earliest;

    /** @param renew renew and restart; false only reads the expiry dates */
    public RenewCertificatesPhase(boolean renew) {
        this.renew = renew;
    }

    @Override
    public Phase phase() {
        return Phase.RENEW_CERTIFICATES;
    }

    @Override
    public void run(PhaseContext context) {
        ClusterNodes nodes = context.nodes();
        List<ScriptRunner> controlPlanes = nodes.all().stream().filter(n -> Inventory.CONTROL_PLANE.equals(nodes.roleOf(n.nodeName())))
                .toList();
        if (controlPlanes.isEmpty()) {
            throw new IllegalArgumentException("renewCertificates: no control plane among " + nodes.all().stream().map(ScriptRunner::nodeName)
                    .toList());
        }
        List<KubeadmSteps.CertificateExpiry> expiries = context.steps().renewCertificates(controlPlanes, renew);
        for (KubeadmSteps.CertificateExpiry e : expiries) {
            context.say("renewCertificates: " + e.node() + (e.renewed() ? ": renewed; " : ": ") + e.certificate() + " expires first, on "
                    + e.earliest());
        }
        earliest = expiries.stream().min(Comparator.comparing(KubeadmSteps.CertificateExpiry::earliest)).orElseThrow();
        context.facts().record("certificatesExpire", earliest.earliest() + " (" + earliest.certificate() + " on " + earliest.node() + ")");
    }

    /** The certificate that expires first on any control plane this phase ran on; null before it ran. */
    public KubeadmSteps.CertificateExpiry earliest() {
        return earliest;
    }
}
