package io.jenkins.plugins.kubeadm.core.nodes;

import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nodes of a cluster, one per line: {@code NAME ROLE USER@HOST[:PORT]}; '#' starts a comment.
 * The name is what logs show and the hostname prepareNode sets.
 */
public record Inventory(List<Entry> nodes) {

    /** The two roles a line can give a node. */
    public static final String CONTROL_PLANE = PrepareNodeParams.ROLES.get(0);
    public static final String WORKER = PrepareNodeParams.ROLES.get(1);

    public record Entry(String name, String role, String user, String host, int port) {
    }

    private static final Pattern ADDRESS = Pattern.compile("([a-z_][a-z0-9_-]{0,31})@([A-Za-z0-9.-]+)(?::(\\d{1,5}))?");
    public static final String FORM = "lines of 'NAME ROLE USER@HOST[:PORT]', e.g. 'nuc01 control-plane root@192.168.1.10'";

    public static Inventory parse(String text) {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int lineNo = 0;
        for (String raw : text.split("\\R")) {
            lineNo++;
            String line = raw.replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + lineNo + ": ";
            String[] f = line.split("\\s+");
            if (f.length != 3) {
                throw new ParameterException("inventory", where + "expected 3 fields, found " + f.length, FORM);
            }
            String name;
            try {
                name = Validators.hostname("inventory", f[0]);
            } catch (ParameterException e) {
                throw new ParameterException("inventory", where + "'" + f[0] + "' is not a valid node name (RFC 1123 hostname)", FORM);
            }
            if (!PrepareNodeParams.ROLES.contains(f[1])) {
                throw new ParameterException("inventory", where + "'" + f[1] + "' is not a role (control-plane | worker)", FORM);
            }
            Matcher m = ADDRESS.matcher(f[2]);
            if (!m.matches()) {
                throw new ParameterException("inventory", where + "'" + f[2] + "' is not USER@HOST[:PORT]", FORM);
            }
            int port = m.group(3) == null ? 22 : Validators.port("inventory " + where + "port", m.group(3));
            if (!names.add(name)) {
                throw new ParameterException("inventory", where + "node name '" + name + "' appears twice", FORM);
            }
            entries.add(new Entry(name, f[1], m.group(1), m.group(2), port));
        }
        if (entries.isEmpty()) {
            throw new ParameterException("inventory", "lists no node", FORM);
        }
        if (entries.stream().noneMatch(e -> e.role().equals("control-plane"))) {
            throw new ParameterException("inventory", "has no control-plane node", FORM);
        }
        return new Inventory(List.copyOf(entries));
    }

    /**
     * The lines a step is asked to work on by name, e.g. removeNode's {@code nodes: 'cp3, worker2'}.
     *
     * @param parameter the parameter that names them, as refusals name it
     * @throws ParameterException when a name is no line of this inventory, or none is given
     */
    public List<String> lines(String parameter, String commaSeparatedNames) {
        String form = "a comma-separated list of the inventory's node names: " + String.join(", ", nodes.stream().map(Entry::name).toList());
        List<String> picked = new ArrayList<>();
        for (String part : Validators.required(parameter, commaSeparatedNames, form).split(",")) {
            String name = part.trim();
            if (nodes.stream().noneMatch(e -> e.name().equals(name))) {
                throw new ParameterException(parameter, "'" + name + "' is no line of the inventory", form);
            }
            if (!picked.contains(name)) {
                picked.add(name);
            }
        }
        return List.copyOf(picked);
    }

    /** The /etc/hosts lines every node gets when the hosts are given as IP addresses. */
    public String clusterHosts() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : nodes) {
            if (e.host().matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                sb.append(e.host()).append(' ').append(e.name()).append('\n');
            }
        }
        return sb.toString();
    }
}
