package io.jenkins.plugins.kubeadm.core.cluster;

import java.time.Duration;
import java.util.List;

/**
 * What verifyCluster found: one test case per check, each passed or failed with its evidence (the
 * pod, the node, the error), in the order they were checked.
 */
public record VerifyReport(List<Check> checks) {

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

    /** The most checks a report may hold when it comes back from an agent: 40 nodes' worth. */
    public static final int MAX_CHECKS = 40 * 40 + 3 * 40;
    /** The most characters of an encoded report from an agent. */
    public static final int MAX_ENCODED_CHARS = MAX_CHECKS * 600;
    private static final char FIELD = '\u001f';
    private static final char RECORD = '\u001e';

    public VerifyReport {
        checks = List.copyOf(checks);
    }

    /** The report as one line, to come back from the agent that ran the checks ({@link #decode} reads it on the controller). */
    public String encode() {
        StringBuilder out = new StringBuilder();
        for (Check c : checks) {
            out.append(c.group()).append(FIELD).append(c.name()).append(FIELD).append(c.time().toMillis()).append(FIELD)
                    .append(c.failure() == null ? "" : "F" + c.failure()).append(RECORD);
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
        List<Check> checks = new java.util.ArrayList<>();
        for (String record : encoded.split(String.valueOf(RECORD))) {
            if (record.isEmpty()) {
                continue;
            }
            String[] f = record.split(String.valueOf(FIELD), -1);
            if (f.length != 4 || !f[2].matches("\\d{1,9}") || !(f[3].isEmpty() || f[3].startsWith("F")) || checks.size() >= MAX_CHECKS) {
                throw new IllegalArgumentException("a verifyCluster report holds a malformed check or more than " + MAX_CHECKS);
            }
            checks.add(new Check(f[0], f[1], f[3].isEmpty() ? null : f[3].substring(1), Duration.ofMillis(Long.parseLong(f[2]))));
        }
        return new VerifyReport(checks);
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
