package io.jenkins.plugins.kubeadm.core.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** etcd's member list as a control plane sends it, checked, and the quorum rule removeNode keeps. */
class EtcdMembersTest {

    static String list(String... nameAndAddress) {
        StringBuilder json = new StringBuilder("{\"header\":{\"cluster_id\":\"1\"},\"members\":[");
        for (int i = 0; i < nameAndAddress.length; i += 2) {
            json.append(i == 0 ? "" : ",").append("{\"ID\":\"").append(1000 + i).append("\",\"name\":\"").append(nameAndAddress[i])
                    .append("\",\"peerURLs\":[\"https://").append(nameAndAddress[i + 1]).append(":2380\"],\"clientURLs\":[\"https://")
                    .append(nameAndAddress[i + 1]).append(":2379\"]}");
        }
        return json.append("]}").toString();
    }

    static EtcdMembers three(boolean cp2Healthy) throws IOException {
        return EtcdMembers.parse(list("cp1", "10.0.0.1", "cp2", "10.0.0.2", "cp3", "10.0.0.3"),
                Map.of("https://10.0.0.1:2379", true, "https://10.0.0.2:2379", cp2Healthy, "https://10.0.0.3:2379", true));
    }

    @Test
    void aMemberListIsReadWithEachMembersHealth() throws IOException {
        EtcdMembers members = three(false);
        assertEquals(3, members.members().size());
        assertEquals(new EtcdMembers.Member("1002", "cp2", "https://10.0.0.2:2379", false), members.named("cp2"));
        assertNull(members.named("worker1"));
        // A member added that has not started yet has neither name nor client URL.
        EtcdMembers starting = EtcdMembers.parse("{\"members\":[{\"ID\":\"7\",\"peerURLs\":[\"https://10.0.0.4:2380\"]}]}", Map.of());
        assertEquals(new EtcdMembers.Member("7", "", "", false), starting.members().get(0));
    }

    @Test
    void anAnswerOfAnotherShapeIsRefused() {
        for (String bad : List.of("{}", "{\"members\":[]}", "not json", "{\"members\":[{\"ID\":\"x1\",\"name\":\"cp1\"}]}",
                "{\"members\":[{\"ID\":\"1\",\"name\":\"cp1; rm -rf /\"}]}",
                "{\"members\":[{\"ID\":\"1\",\"name\":\"cp1\",\"clientURLs\":[\"http://evil.example:2379\"]}]}")) {
            assertThrows(IOException.class, () -> EtcdMembers.parse(bad, Map.of()), bad);
        }
    }

    @Test
    void oneOfThreeHealthyMembersMayLeaveOneOfTwoMayNot() throws IOException {
        three(true).checkQuorumWithout(List.of("cp3"), "label");
        EtcdMembers two = EtcdMembers.parse(list("cp1", "10.0.0.1", "cp2", "10.0.0.2"),
                Map.of("https://10.0.0.1:2379", true, "https://10.0.0.2:2379", true));
        ParameterException e = assertThrows(ParameterException.class, () -> two.checkQuorumWithout(List.of("cp2"), "label"));
        assertEquals("label: removing cp2 would leave etcd 1 healthy member of 2 (cp1 healthy, cp2 healthy), fewer than the 2 etcd"
                + " needs to keep working; nothing was changed (accepted: control planes whose removal leaves a healthy majority: add a"
                + " control plane first (three stay available through the loss of one), or bring the unhealthy members back)",
                e.getMessage());
    }

    @Test
    void aRemovalThatLeavesTooFewHealthyMembersIsRefused() throws IOException {
        // cp2 is down: removing cp3 would leave cp1 alone healthy of three.
        ParameterException e = assertThrows(ParameterException.class, () -> three(false).checkQuorumWithout(List.of("cp3"), "inventory"));
        assertTrue(e.getMessage().startsWith("inventory: removing cp3 would leave etcd 1 healthy member of 3 (cp1 healthy,"
                + " cp2 not healthy, cp3 healthy)"), e.getMessage());
        // The unhealthy member itself may go: two healthy stay of three.
        three(false).checkQuorumWithout(List.of("cp2"), "label");
        assertThrows(ParameterException.class, () -> three(true).checkQuorumWithout(List.of("cp1", "cp2", "cp3"), "label"));
    }
}
