package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentityCheckTest {

    static NodeIdentity id(String line) {
        return NodeIdentity.parse(line).orElseThrow();
    }

    @Test
    void parsesTheLinePrepareNodePrints() {
        NodeIdentity identity = id("KUBEADM_NODE_IDENTITY hostname=nuc01 product_uuid=- machine_id=abc macs=aa:bb:cc:dd:ee:01,aa:bb:cc:dd:ee:02 primary_ip=192.168.1.10");
        assertEquals(new NodeIdentity("nuc01", null, "abc", List.of("aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"), "192.168.1.10"), identity);
        assertTrue(NodeIdentity.parse("==> node identity").isEmpty());
    }

    @Test
    void uniqueNodesPass() {
        Map<String, NodeIdentity> ids = new LinkedHashMap<>();
        ids.put("a", id("KUBEADM_NODE_IDENTITY hostname=a product_uuid=u1 machine_id=m1 macs=02:00:00:00:00:01 primary_ip=10.0.0.1"));
        ids.put("b", id("KUBEADM_NODE_IDENTITY hostname=b product_uuid=u2 machine_id=m2 macs=02:00:00:00:00:02 primary_ip=10.0.0.2"));
        assertEquals(List.of(), IdentityCheck.duplicates(ids));
        IdentityCheck.requireUnique(ids);
    }

    @Test
    void eachSharedValueNamesItAndBothNodes() {
        Map<String, NodeIdentity> ids = new LinkedHashMap<>();
        // Cloned VMs: same product_uuid and MAC; hostnames differ only in case.
        ids.put("nuc02", id("KUBEADM_NODE_IDENTITY hostname=NUC01 product_uuid=U1 machine_id=m1 macs=02:00:00:00:00:01 primary_ip=10.0.0.1"));
        ids.put("nuc01", id("KUBEADM_NODE_IDENTITY hostname=nuc01 product_uuid=U1 machine_id=m2 macs=02:00:00:00:00:01 primary_ip=10.0.0.2"));
        ids.put("nuc03", id("KUBEADM_NODE_IDENTITY hostname=nuc03 product_uuid=- machine_id=m3 macs=- primary_ip=10.0.0.3"));
        IdentityCheck.DuplicateNodeIdentityException e = assertThrows(IdentityCheck.DuplicateNodeIdentityException.class,
                () -> IdentityCheck.requireUnique(ids));
        assertEquals(List.of(
                "hostname 'nuc01' is shared by nodes nuc01 and nuc02 (kubeadm needs it unique per node)",
                "product_uuid 'U1' is shared by nodes nuc01 and nuc02 (kubeadm needs it unique per node)",
                "MAC address '02:00:00:00:00:01' is shared by nodes nuc01 and nuc02 (kubeadm needs it unique per node)"), e.problems());
    }

    @Test
    void unknownValuesAreNeverDuplicates() {
        Map<String, NodeIdentity> ids = new LinkedHashMap<>();
        ids.put("a", id("KUBEADM_NODE_IDENTITY hostname=a product_uuid=- machine_id=- macs=- primary_ip=-"));
        ids.put("b", id("KUBEADM_NODE_IDENTITY hostname=b product_uuid=- machine_id=- macs=- primary_ip=-"));
        assertEquals(List.of(), IdentityCheck.duplicates(ids));
    }
}
