package io.jenkins.plugins.kubeadm.credentials;

import hudson.model.InvisibleAction;
import hudson.util.Secret;
import java.util.HashMap;
import java.util.Map;

/**
 * Join commands kept inside one build (a job outside any folder has no credentials store of its own):
 * encrypted on disk like any {@link Secret}, shown nowhere, read only by that build's steps.
 */
final class BuildJoinCommands extends InvisibleAction {

    private final Map<String, Secret> byId = new HashMap<>();

    synchronized void put(String id, Secret joinCommand) {
        byId.put(id, joinCommand);
    }

    synchronized Secret get(String id) {
        return byId.get(id);
    }
}
