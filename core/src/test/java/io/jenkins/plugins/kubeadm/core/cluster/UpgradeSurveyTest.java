package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.params.KubernetesUpgrade.Release;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What upgradeCluster learns from the API server, as it travels from an agent (one line) and is read back strictly. */
class UpgradeSurveyTest {

    static final Release V1261 = Release.reported("v1.26.1");
    static final Release V1262 = Release.reported("v1.26.2");

    @Test
    void travelsAsOneLineAndReadsBackTheSame() {
        UpgradeSurvey survey = new UpgradeSurvey(List.of(new UpgradeSurvey.NodeState("cp1", V1262, V1262, null),
                new UpgradeSurvey.NodeState("worker1", V1261, null, V1262)));
        String line = survey.encode();
        assertFalse(line.contains("\n"), line);
        assertEquals("cp1 1.26.2 1.26.2 -;worker1 1.26.1 - 1.26.2;", line);
        assertEquals(survey, UpgradeSurvey.decode(line));
        assertEquals(Map.of("cp1", V1262), survey.apiServers());
        assertEquals(V1261, survey.kubelets().get("worker1"));
        assertNull(survey.node("worker9"));
    }

    @Test
    void aNodeRunsTheReleaseOnlyWhenNoEarlierUpgradeLeftItCordoned() {
        assertTrue(new UpgradeSurvey.NodeState("cp1", V1262, V1262, null).runs(V1262));
        assertFalse(new UpgradeSurvey.NodeState("cp1", V1262, V1261, null).runs(V1262), "its API server is behind");
        assertFalse(new UpgradeSurvey.NodeState("w1", V1262, null, V1262).runs(V1262), "left cordoned by a run that stopped");
        assertTrue(new UpgradeSurvey.NodeState("w1", V1262, null, null).runs(V1262), "cordoned by someone else, or never: done");
    }

    @Test
    void anythingElseIsRefused() {
        for (String bad : new String[] {"cp1 1.26.2 1.26.2", "cp1 1.26.2 1.26.2 - extra;", "cp1 v1.26.2 1.26.2 -;", "CP_1 1.26.2 - -;",
                "cp1 1.26.2 - 1.26;", "cp1 1.26.2 soon -;", "cp1 - - -;"}) {
            assertThrows(IllegalArgumentException.class, () -> UpgradeSurvey.decode(bad), bad);
        }
        assertEquals(List.of(), UpgradeSurvey.decode("").nodes());
    }
}
