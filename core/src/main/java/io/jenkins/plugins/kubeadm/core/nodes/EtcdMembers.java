package io.jenkins.plugins.kubeadm.core.nodes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A stacked etcd's members as a control plane reports them (etcd-members.sh): each checked on the way
 * in, as nothing a node sends is trusted; and the quorum rule removeNode keeps.
 *
 * @param members in etcd's order
 */
public record EtcdMembers(List<Member> members) {

    /** A member: etcd's decimal ID, its name (kubeadm names it after the node), its client URL, and whether that answered healthy. */
    public record Member(String id, String name, String clientUrl, boolean healthy) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("[0-9]{1,20}");
    private static final Pattern CLIENT_URL = Pattern.compile("https://([0-9.]{7,15}):[0-9]{1,5}");

    public EtcdMembers {
        members = List.copyOf(members);
    }

    /**
     * @param memberList etcd's /v3/cluster/member/list answer
     * @param health     healthy or not, by client URL, as the script found them
     * @throws IOException when the answer is not a member list of the expected shape
     */
    static EtcdMembers parse(String memberList, Map<String, Boolean> health) throws IOException {
        JsonNode root = JSON.readTree(memberList);
        JsonNode list = root == null ? null : root.get("members");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IOException("no etcd member list");
        }
        List<Member> members = new ArrayList<>();
        for (JsonNode m : list) {
            String id = m.path("ID").asText("");
            String name = m.path("name").asText("");
            JsonNode urls = m.path("clientURLs");
            String url = urls.isArray() && !urls.isEmpty() ? urls.get(0).asText("") : "";
            // A member that was added and has not started yet has no name and no client URL.
            java.util.regex.Matcher client = CLIENT_URL.matcher(url);
            if (!ID.matcher(id).matches() || !(name.isEmpty() || Validators.isObjectName(name))
                    || !(url.isEmpty() || client.matches() && Validators.isIpv4(client.group(1)))) {
                throw new IOException("an etcd member entry of an unexpected form");
            }
            members.add(new Member(id, name, url, Boolean.TRUE.equals(health.get(url))));
        }
        return new EtcdMembers(members);
    }

    /** The member kubeadm made for this node (named after it); null when there is none. */
    public Member named(String nodeName) {
        return members.stream().filter(m -> m.name().equals(nodeName)).findFirst().orElse(null);
    }

    /**
     * Refuses, before anything changes, a removal that would leave etcd without quorum: the healthy
     * members that stay must be a majority of the members etcd has now, so that etcd keeps accepting
     * writes while it removes them (one of two is refused; one of three is fine while the other two are
     * healthy). The last member is never removed.
     *
     * @param removing the Kubernetes Node names of the control planes to remove
     * @param where    the parameter that chose them (label, inventory)
     * @throws ParameterException naming the members and what is left
     */
    public void checkQuorumWithout(Collection<String> removing, String where) {
        long staying = members.stream().filter(m -> !removing.contains(m.name())).count();
        long healthyStaying = members.stream().filter(m -> !removing.contains(m.name()) && m.healthy()).count();
        int majority = members.size() / 2 + 1;
        if (staying == 0 || healthyStaying < majority) {
            throw new ParameterException(where, "removing " + String.join(", ", removing) + " would leave etcd " + healthyStaying
                    + " healthy member" + (healthyStaying == 1 ? "" : "s") + " of " + members.size() + " ("
                    + String.join(", ", members.stream().map(m -> (m.name().isEmpty() ? m.id() : m.name())
                            + (m.healthy() ? " healthy" : " not healthy")).toList())
                    + "), fewer than the " + majority + " etcd needs to keep working; nothing was changed",
                    "control planes whose removal leaves a healthy majority: add a control plane first (three stay"
                            + " available through the loss of one), or bring the unhealthy members back");
        }
    }
}
