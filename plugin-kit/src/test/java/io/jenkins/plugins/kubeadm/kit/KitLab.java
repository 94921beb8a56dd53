package io.jenkins.plugins.kubeadm.kit;

import io.jenkins.plugins.kubeadm.core.testnodes.TestNode;
import io.jenkins.plugins.kubeadm.core.testnodes.TestNodes;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Test nodes as Jenkins agents the way a user sets them up: an SSH key credential per login user and
 * one SSH Build Agent per node (ssh-slaves), its host key pinned, labelled k8s-control-plane (the
 * node named cp1) or k8s-worker.
 */
public final class KitLab {

    private KitLab() {
    }

    /** A login user with the harness's key and passwordless sudo, as a cloud image's default user has. */
    public static void addSudoUser(TestNode node, String user) {
        node.sh("useradd -m -s /bin/bash " + user
                + " && install -d -m 700 -o " + user + " -g " + user + " /home/" + user + "/.ssh"
                + " && install -m 600 -o " + user + " -g " + user + " /root/.ssh/authorized_keys /home/" + user + "/.ssh/authorized_keys"
                + " && echo '" + user + " ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/" + user
                + " && chmod 440 /etc/sudoers.d/" + user);
    }

    /**
     * Adds the credentials and agents and waits until every agent is online.
     *
     * @param loginUsers nodes that log in as a user other than root
     */
    public static void connectAgents(KitJenkins jenkins, TestNodes nodes, Map<String, String> loginUsers) throws Exception {
        connectAgents(jenkins, nodes.nodes(), loginUsers, n -> n.name().equals("cp1") ? "k8s-control-plane" : "k8s-worker");
    }

    /** Like {@link #connectAgents(KitJenkins, TestNodes, Map)} for some of the nodes, with their labels. */
    static void connectAgents(KitJenkins jenkins, List<TestNode> agents, Map<String, String> loginUsers,
                              Function<TestNode, String> labelsOf) throws Exception {
        String key = Files.readString(agents.get(0).clientKey());
        StringBuilder setup = new StringBuilder(String.join("\n",
                "import com.cloudbees.plugins.credentials.CredentialsScope",
                "import com.cloudbees.plugins.credentials.SystemCredentialsProvider",
                "import com.cloudbees.jenkins.plugins.sshcredentials.impl.BasicSSHUserPrivateKey",
                "import hudson.plugins.sshslaves.SSHLauncher",
                "import hudson.plugins.sshslaves.verifiers.ManuallyProvidedKeyVerificationStrategy",
                "import hudson.slaves.DumbSlave",
                "import hudson.slaves.RetentionStrategy",
                "def j = jenkins.model.Jenkins.get()",
                "def creds = SystemCredentialsProvider.getInstance()",
                "def key = '''" + key + "'''",
                "def credential(creds, key, user) {",
                "  if (!creds.credentials.any { it.id == 'node-' + user }) {",
                "    creds.credentials.add(new BasicSSHUserPrivateKey(CredentialsScope.GLOBAL, 'node-' + user, user,",
                "        new BasicSSHUserPrivateKey.DirectEntryPrivateKeySource(key), null, 'test nodes as ' + user))",
                "  }",
                "}",
                "def agent(j, name, host, user, labels, hostKey) {",
                "  def launcher = new SSHLauncher(host, 22, 'node-' + user, null, null, null, null, 60, 3, 5,",
                "      new ManuallyProvidedKeyVerificationStrategy(hostKey))",
                "  def n = new DumbSlave(name, user == 'root' ? '/var/lib/jenkins-agent' : '/home/' + user + '/agent', launcher)",
                "  n.labelString = labels",
                "  n.numExecutors = 1",
                "  n.retentionStrategy = new RetentionStrategy.Always()",
                "  j.addNode(n)",
                "}", ""));
        for (TestNode n : agents) {
            String user = loginUsers.getOrDefault(n.name(), "root");
            String hostKey = Files.readString(n.knownHosts()).lines().filter(l -> l.startsWith(n.address() + " "))
                    .findFirst().orElseThrow().substring(n.address().length() + 1).trim();
            String labels = labelsOf.apply(n);
            setup.append("credential(creds, key, '").append(user).append("')\n");
            setup.append("agent(j, '").append(n.name()).append("', '").append(n.address()).append("', '").append(user)
                    .append("', '").append(labels).append("', '").append(hostKey).append("')\n");
        }
        setup.append("creds.save()\n");
        jenkins.groovy(setup.toString());
        awaitAgentsOnline(jenkins);
    }

    public static void awaitAgentsOnline(KitJenkins jenkins) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String offline = "";
        while (System.nanoTime() < deadline) {
            offline = jenkins.groovy("print(jenkins.model.Jenkins.get().computers.findAll { it.node != jenkins.model.Jenkins.get()"
                    + " && !it.online }.collect { it.name }.join(' '))").trim();
            if (offline.isEmpty()) {
                return;
            }
            Thread.sleep(2000);
        }
        String why = jenkins.groovy("jenkins.model.Jenkins.get().computers.findAll { !it.online && it.node != jenkins.model.Jenkins.get() }"
                + ".each { println('--- ' + it.name); println(it.log) }");
        throw new AssertionError("agents still offline after 3 minutes: " + offline + "\n" + KitJenkins.tail(why, 6000));
    }
}
