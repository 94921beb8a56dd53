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
                    "wget: download timed out <&\"'>\nsecond line \u0007", Duration.ofMillis(5300))));

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
        String tooMany = "nodes\u001fcp1\u001f1\u001f\u001e".repeat(VerifyReport.MAX_CHECKS + 1);
        assertTrue(tooMany.length() < VerifyReport.MAX_ENCODED_CHARS);
        assertThrows(IllegalArgumentException.class, () -> VerifyReport.decode(tooMany));
    }
}
