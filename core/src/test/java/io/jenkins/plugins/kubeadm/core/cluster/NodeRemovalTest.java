package io.jenkins.plugins.kubeadm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What removeNode decides without an API server: which pods a budget covers, and its parameters. (RealClusterIT drains a real node.) */
class NodeRemovalTest {

    @Test
    void aBudgetsSelectorCoversThePodsItsLabelsAndExpressionsMatch() {
        LabelSelector app = new LabelSelectorBuilder().addToMatchLabels("app", "web").build();
        assertTrue(Drainer.selects(app, Map.of("app", "web", "tier", "front")));
        assertFalse(Drainer.selects(app, Map.of("app", "db")));
        assertFalse(Drainer.selects(app, null));
        LabelSelector expressions = new LabelSelectorBuilder().addNewMatchExpression().withKey("tier").withOperator("In")
                .withValues("front", "edge").endMatchExpression().addNewMatchExpression().withKey("canary").withOperator("DoesNotExist")
                .endMatchExpression().build();
        assertTrue(Drainer.selects(expressions, Map.of("tier", "edge")));
        assertFalse(Drainer.selects(expressions, Map.of("tier", "edge", "canary", "yes")));
        assertFalse(Drainer.selects(expressions, Map.of("tier", "back")));
        // An empty selector covers every pod of its namespace; none covers none.
        assertTrue(Drainer.selects(new LabelSelector(), Map.of("any", "pod")));
        assertFalse(Drainer.selects(null, Map.of("any", "pod")));
    }

    @Test
    void theNodesAndTheDrainTimeoutAreCheckedByName() {
        assertEquals(List.of("worker3"), new RemoveNodeOptions().node("worker3").nodes());
        ParameterException badName = assertThrows(ParameterException.class, () -> new RemoveNodeOptions().node("Worker 3"));
        assertTrue(badName.getMessage().startsWith("node:"), badName.getMessage());
        ParameterException badTimeout = assertThrows(ParameterException.class, () -> new RemoveNodeOptions().drainTimeoutSeconds(0));
        assertTrue(badTimeout.getMessage().startsWith("drainTimeoutSeconds:"), badTimeout.getMessage());
    }

    @Test
    void theSummarySaysWhatWasRemovedAndWhatWasAlreadyGone() {
        assertEquals("removeNode: drained and deleted worker2; already not in the cluster: worker3",
                new RemovalResult(List.of("worker2"), List.of("worker3")).summary());
        assertEquals("removeNode: no Node drained; already not in the cluster: worker3", new RemovalResult(List.of(), List.of("worker3")).summary());
    }
}
