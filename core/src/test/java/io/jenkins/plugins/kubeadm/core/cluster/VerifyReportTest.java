package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class VerifyReportTest {

    static final VerifyReport REPORT = new VerifyReport(List.of(
            new VerifyReport.Check("nodes", "cp1 is Ready", null, Duration.ofMillis(20)),
            new VerifyReport.Check("service", "worker2: a ClusterIP Service reaches its pods",
                    "wget: download timed out <&\"'>\nsecond line \u0007", Duration.ofMillis(5300))), List.of(
            new VerifyReport.NodeState("cp1", "v1.26.1", true), new VerifyReport.NodeState("worker2", "v1.26.1", false)));

    @Test
    void theJUnitXmlIsWellFormedWithOneCasePerCheckAndTheFailureEscaped() throws Exception {
        String xml = REPORT.junitXml();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Element suite = doc.getDocumentElement();
        assertEquals("testsuite", suite.getTagName());
        assertEquals("2", suite.getAttribute("tests"));
        assertEquals("1", suite.getAttribute("failures"));
        Element failed = (Element) doc.getElementsByTagName("testcase").item(1);
        assertEquals("verifyCluster.service", failed.getAttribute("classname"));
        assertEquals("5.3", failed.getAttribute("time"));
        Element failure = (Element) failed.getElementsByTagName("failure").item(0);
        assertEquals("wget: download timed out <&\"'> second line", failure.getAttribute("message"));
        assertEquals(0, ((Element) doc.getElementsByTagName("testcase").item(0)).getElementsByTagName("failure").getLength());
    }

    @Test
    void theSummaryNamesEachFailedCheck() {
        assertEquals("1 of 2 checks passed\n  FAILED service: worker2: a ClusterIP Service reaches its pods: wget: download timed out"
                + " <&\"'> second line", REPORT.summary());
    }

    @Test
    void aReportCrossesFromTheAgentAsOneLineAndOnlyInItsOwnForm() {
        String encoded = REPORT.encode();
        assertFalse(encoded.contains("\n"));
        assertEquals(REPORT, VerifyReport.decode(encoded));
        assertEquals(List.of(), VerifyReport.decode("").checks());
        assertThrows(IllegalArgumentException.class, () -> VerifyReport.decode("nodes\u001fcp1\u001f12\u001e"));
        assertThrows(IllegalArgumentException.class, () -> VerifyReport.decode("nodes\u001fcp1\u001fsoon\u001f\u001e"));
        assertThrows(IllegalArgumentException.class, () -> VerifyReport.decode("x".repeat(VerifyReport.MAX_ENCODED_CHARS + 1)));
        String tooMany = "C\u001fnodes\u001fcp1\u001f1\u001f\u001e".repeat(VerifyReport.MAX_CHECKS + 1);
        assertTrue(tooMany.length() < VerifyReport.MAX_ENCODED_CHARS);
        assertThrows(IllegalArgumentException.class, () -> VerifyReport.decode(tooMany));
    }

    @Test
    void aNodeCrossesOnlyWithAKubernetesNameAndAVersion() {
        assertEquals(REPORT.nodes(), VerifyReport.decode(REPORT.encode()).nodes());
        assertEquals(List.of(new VerifyReport.NodeState("gpu-1.lab", "v1.26.1+k3s1", false)),
                VerifyReport.decode("N\u001fgpu-1.lab\u001fv1.26.1+k3s1\u001f0\u001e").nodes());
        for (String bad : List.of("N\u001fCP1\u001fv1.26.1\u001f1", "N\u001f<b>x</b>\u001fv1.26.1\u001f1", "N\u001fcp1\u001f1.26\u001f1",
                "N\u001fcp1\u001fv1.26.1 <script>\u001f1", "N\u001fcp1\u001fv1.26.1\u001fyes", "N\u001fcp1\u001fv1.26.1", "X\u001fcp1")) {
            assertThrows(IllegalArgumentException.class, () -> VerifyReport.decode(bad + "\u001e"), bad);
        }
        String tooMany = "N\u001fn\u001fv1.26.1\u001f1\u001e".repeat(VerifyReport.MAX_NODES + 1);
        assertTrue(tooMany.length() < VerifyReport.MAX_ENCODED_CHARS);
        assertThrows(IllegalArgumentException.class, () -> VerifyReport.decode(tooMany));
    }
}
