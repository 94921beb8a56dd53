package io.jenkins.plugins.kubeadm.core.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What verifyCluster found: one test case per check, each passed or failed with its evidence (the
 * pod, the node, the error), in the order they were checked; and each Node as the checks saw it
 * (kubelet version, readiness), for the cluster page.
 */
public record VerifyReport(List<Check> checks, List<NodeState> nodes) {

    /**
     * @param group   what kind of check: nodes, dns, pod-network, service
     * @param name    what it checked, e.g. "worker1 reaches a pod on worker2"
     * @param failure null when it passed; else what was seen
     */
    public record Check(String group, String name, String failure, Duration time) {

        /** Every field on one line: a pod's output may hold line breaks. */
        public Check {
            group = oneLine(group);
            name = oneLine(name);
            failure = failure == null ? null : oneLine(failure);
        }

        public boolean passed() {
            return failure == null;
        }
    }

    /**
     * A Node of the cluster as the checks found it.
     *
     * @param name           the Node's name (its hostname unless kubeadm was told otherwise)
     * @param kubeletVersion what its kubelet reports, e.g. v1.26.1
     */
    public record NodeState(String name, String kubeletVersion, boolean ready) {

        private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
        private static final Pattern VERSION = Pattern.compile("v\\d{1,4}\\.\\d{1,4}\\.\\d{1,4}[-+.a-zA-Z0-9]{0,60}");

        /** Only a Kubernetes object name and a version: they are shown on the cluster page and used in its keys. */
        public NodeState {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a Node name must be a Kubernetes object name (lowercase letters, digits, - and .)");
            }
            if (kubeletVersion == null || !VERSION.matcher(kubeletVersion).matches()) {
                throw new IllegalArgumentException("a kubelet version must look like v1.26.1");
            }
        }
    }

    /** The most checks a report may hold when it comes back from an agent: 40 nodes' worth. */
    public static final int MAX_CHECKS = 40 * 40 + 3 * 40;
    /** The most Nodes a report may describe. */
    public static final int MAX_NODES = 1000;
    /** The most characters of an encoded report from an agent. */
    public static final int MAX_ENCODED_CHARS = MAX_CHECKS * 600 + MAX_NODES * 300;
    private static final char FIELD = '\u001f';
    private static final char RECORD = '\u001e';

    public VerifyReport {
        checks = List.copyOf(checks);
        nodes = List.copyOf(nodes);
    }

    /** A report of checks alone. */
    public VerifyReport(List<Check> checks) {
        this(checks, List.of());
    }

    /**
     * The report as one line, to come back from the agent that ran the checks ({@link #decode} reads it on the controller):
     * a record per check (C, group, name, milliseconds, F and the failure or nothing) and per Node (N, name, version, 1 or 0).
     */
    public String encode() {
        StringBuilder out = new StringBuilder();
        for (Check c : checks) {
            out.append('C').append(FIELD).append(c.group()).append(FIELD).append(c.name()).append(FIELD).append(c.time().toMillis())
                    .append(FIELD).append(c.failure() == null ? "" : "F" + c.failure()).append(RECORD);
        }
        for (NodeState n : nodes) {
            out.append('N').append(FIELD).append(n.name()).append(FIELD).append(n.kubeletVersion()).append(FIELD).append(n.ready() ? '1' : '0')
                    .append(RECORD);
        }
        return out.toString();
    }

    /**
     * Reads an encoded report strictly: what an agent sends is not trusted, so anything but
     * {@link #encode}'s form within the limits is refused.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static VerifyReport decode(String encoded) {
        if (encoded == null || encoded.length() > MAX_ENCODED_CHARS || encoded.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a verifyCluster report must be one line of at most " + MAX_ENCODED_CHARS + " characters");
        }
        List<Check> checks = new ArrayList<>();
        List<NodeState> nodes = new ArrayList<>();
        for (String record : encoded.split(String.valueOf(RECORD))) {
            if (record.isEmpty()) {
                continue;
            }
            String[] f = record.split(String.valueOf(FIELD), -1);
            if (f[0].equals("C")) {
                if (f.length != 5 || !f[3].matches("\\d{1,9}") || !(f[4].isEmpty() || f[4].startsWith("F")) || checks.size() >= MAX_CHECKS) {
                    throw new IllegalArgumentException("a verifyCluster report holds a malformed check or more than " + MAX_CHECKS);
                }
                checks.add(new Check(f[1], f[2], f[4].isEmpty() ? null : f[4].substring(1), Duration.ofMillis(Long.parseLong(f[3]))));
            } else if (f[0].equals("N")) {
                if (f.length != 4 || !f[3].matches("[01]") || nodes.size() >= MAX_NODES) {
                    throw new IllegalArgumentException("a verifyCluster report holds a malformed Node or more than " + MAX_NODES);
                }
                nodes.add(new NodeState(f[1], f[2], f[3].equals("1")));
            } else {
                throw new IllegalArgumentException("a verifyCluster report holds a record that is neither a check nor a Node");
            }
        }
        return new VerifyReport(checks, nodes);
    }

    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n\\u001e\\u001f]+", " ").trim();
    }

    public List<Check> failed() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    /** JUnit XML, as Jenkins' junit step reads it: one suite, a test case per check, classname verifyCluster.GROUP. */
    public String junitXml() {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        double total = checks.stream().mapToLong(c -> c.time().toMillis()).sum() / 1000.0;
        xml.append("<testsuite name=\"verifyCluster\" tests=\"").append(checks.size()).append("\" failures=\"").append(failed().size())
                .append("\" errors=\"0\" skipped=\"0\" time=\"").append(total).append("\">\n");
        for (Check c : checks) {
            xml.append("  <testcase classname=\"verifyCluster.").append(escape(c.group())).append("\" name=\"").append(escape(c.name()))
                    .append("\" time=\"").append(c.time().toMillis() / 1000.0).append('"');
            if (c.passed()) {
                xml.append("/>\n");
            } else {
                xml.append(">\n    <failure message=\"").append(escape(firstLine(c.failure()))).append("\">").append(escape(c.failure()))
                        .append("</failure>\n  </testcase>\n");
            }
        }
        return xml.append("</testsuite>\n").toString();
    }

    /** One line per failed check, for the console and the step's error. */
    public String summary() {
        StringBuilder text = new StringBuilder(checks.size() - failed().size() + " of " + checks.size() + " checks passed");
        for (Check c : failed()) {
            text.append("\n  FAILED ").append(c.group()).append(": ").append(c.name()).append(": ").append(firstLine(c.failure()));
        }
        return text.toString();
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char ch : text.toCharArray()) {
            switch (ch) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    // Characters XML 1.0 cannot hold at all (controls from a pod's output) are dropped.
                    if (ch >= 0x20 || ch == '\n' || ch == '\t' || ch == '\r') {
                        out.append(ch);
                    }
                }
            }
        }
        return out.toString();
    }
}
