package io.jenkins.plugins.kubeadm.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.kubeadm.core.logs.LeakSearch;
import io.jenkins.plugins.kubeadm.core.testnodes.Host;
import io.jenkins.plugins.kubeadm.kit.KitJenkins;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The README's main job as a person runs it: the {@code ./lab} script itself (with the classpath this
 * build made, instead of building again), a real cluster built by Jenkinsfile.example in the kit's
 * Jenkins on three nodes, then {@code ./lab down}. Its own lab folder, so a lab someone runs on this
 * machine is never touched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabIT {

    static final Duration UP_TIMEOUT = Duration.ofMinutes(30);
    static final Pattern PASSWORD = Pattern.compile("user admin, password (\\S+) ");
    /** Where the browser test's screenshots go: beside failsafe's reports, so they are kept with them. */
    static final Path BROWSER_REPORTS = Path.of(System.getProperty("kubeadm.lab.browser-reports", "target/failsafe-reports/browser"));

    static Path repository;
    static Path labDir;
    static int port;
    static String upOutput;
    static int upExit;
    static String password;
    static Properties recorded;
    static final List<String> secrets = new ArrayList<>();

    record Run(int exit, String output) {
    }

    static Run lab(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", repository.resolve("lab").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        String classpath = Files.readString(Path.of(System.getProperty("kubeadm.lab.classpath"))).trim() + ":"
                + System.getProperty("kubeadm.lab.classes");
        pb.environment().put("LAB_CLASSPATH", classpath);
        pb.environment().put(LabState.DIR_VARIABLE, labDir.toString());
        Process p = pb.start();
        // Output is read on another thread: a lab that hangs must still end in this test's timeout.
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().forEach(l -> {
                    synchronized (out) {
                        out.append(l).append('\n');
                    }
                    System.out.println("[lab] " + l);
                });
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./lab " + String.join(" ", args) + " did not end within " + timeout + ":\n" + out);
        }
        reader.join(10_000);
        synchronized (out) {
            return new Run(p.exitValue(), out.toString());
        }
    }

    @BeforeAll
    static void paths() throws IOException {
        repository = Path.of(System.getProperty("kubeadm.lab.repo")).toAbsolutePath().normalize();
        labDir = Files.createTempDirectory(Path.of("/var/tmp"), "kubeadm-lab-it");
        Files.delete(labDir); // the lab creates it: its absence is "no lab"
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    @Test
    @Order(1)
    void aBadOptionIsRefusedByNameBeforeAnythingStarts() throws Exception {
        Run bad = lab(Duration.ofMinutes(2), "up", "--nodes", "0");
        assertEquals(2, bad.exit(), bad.output());
        assertTrue(bad.output().contains("ERROR: --nodes: '0' is not a node count (accepted: 2 to 6"), bad.output());
        assertFalse(bad.output().contains("==> Building"), "nothing was built: " + bad.output());
        Run calico = lab(Duration.ofMinutes(2), "up", "--cni", "calico");
        assertEquals(2, calico.exit(), calico.output());
        assertTrue(calico.output().contains("--cni: 'calico' needs its images from the internet"), calico.output());
        assertFalse(Files.exists(labDir), "a refused up leaves no lab folder");
        Run status = lab(Duration.ofMinutes(2), "status");
        assertEquals(3, status.exit(), status.output());
        assertTrue(status.output().contains("No lab is up"), status.output());
    }

    @Test
    @Order(2)
    void upBuildsARealClusterWithTheExamplePipelineAndSaysWhereEverythingIs() throws Exception {
        Run up = lab(UP_TIMEOUT, "up", "--nodes", "3", "--cni", "flannel", "--kubernetes-version", "1.26.1", "--port", Integer.toString(port));
        upOutput = up.output();
        upExit = up.exit();
        recorded = new LabState(labDir).properties();
        assertEquals(0, up.exit(), up.output());
        for (String stage : List.of("Reset", "Prepare", "Runtime", "Control plane", "CNI", "Workers", "Workload", "Verify")) {
            assertTrue(upOutput.matches("(?s).*\\n  stage " + Pattern.quote(stage) + ": done in \\d+ s\\n.*"), stage + " not reported done:\n" + upOutput);
        }
        assertTrue(upOutput.contains("  stage GPU plugin: skipped"), upOutput);
        assertTrue(upOutput.contains("Build #1: SUCCESS"), upOutput);
        // verifyCluster's checks on three nodes, in the build's Tests tab: 3 Ready, 3 lookups, 6 pairs, 3 Services.
        assertTrue(upOutput.contains("Checks:    15 passed, 0 failed  http://127.0.0.1:" + port + "/job/kubeadm-lab/1/testReport/"), upOutput);
        assertTrue(upOutput.contains("Jenkins:   http://127.0.0.1:" + port + "/"), upOutput);
        assertTrue(upOutput.contains("Step logs: http://127.0.0.1:" + port + "/job/kubeadm-lab/1/artifact/kubeadm-logs/"), upOutput);
        Matcher m = PASSWORD.matcher(upOutput);
        assertTrue(m.find(), "the admin password is printed: " + upOutput);
        password = m.group(1);
        secrets.add(password);
        assertFalse(m.find(), "the password is printed once");
        // kubectl get nodes of the new cluster: three nodes, all Ready, the real 1.26.1.
        for (String node : List.of("cp1", "worker1", "worker2")) {
            assertTrue(upOutput.matches("(?s).*\\n" + node + " +Ready +\\S+ +\\S+ +v1\\.26\\.1 .*"), node + " not Ready:\n" + upOutput);
        }
    }

    @Test
    @Order(3)
    void jenkinsHasSecurityOnTheBuildSucceededAndEveryNodesStepLogsAreArchived() throws Exception {
        String url = "http://127.0.0.1:" + port + "/";
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(url + "api/json")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, anonymous.statusCode(), "anonymous users see nothing");
        KitJenkins jenkins = KitJenkins.attach(url, labDir.resolve("jenkins-home"), password);
        assertTrue(jenkins.get("job/kubeadm-lab/1/api/json?tree=result").body().contains("\"result\":\"SUCCESS\""));
        String artifacts = jenkins.artifacts("kubeadm-lab", 1);
        for (String node : List.of("cp1", "worker1", "worker2")) {
            assertTrue(artifacts.contains("kubeadm-logs/" + node + "/"), node + "'s step logs are not archived: " + artifacts);
        }
        assertTrue(jenkins.artifact("kubeadm-lab", 1, "kubeadm-logs/cp1/04-kubeadm-init.log").contains("kubeadm"),
                "the control plane's kubeadm init log");
        // The build's cluster page: every node and every step the pipeline ran on it, none failed, the version the nodes run.
        assertTrue(upOutput.contains("Cluster:   http://127.0.0.1:" + port + "/job/kubeadm-lab/1/kubeadm-cluster/"), upOutput);
        String page = jenkins.get("job/kubeadm-lab/1/kubeadm-cluster/").body();
        for (String text : List.of("cp1", "worker1", "worker2", "prepare-node", "install-runtime", "kubeadm-init", "kubeadm-join",
                "Kubernetes version", "v1.26.1", "API server")) {
            assertTrue(page.contains(text), text + " is not on the cluster page");
        }
        assertFalse(page.contains("FAILED"), "no step failed");
        // The secrets the build handled: the join command (kept as a credential) and the admin kubeconfig's key.
        String joinCommand = jenkins.joinCommandCredential("kubeadm-lab");
        Matcher token = Pattern.compile("--token ([a-z0-9]{6})\\.([a-z0-9]{16})").matcher(joinCommand);
        assertTrue(token.find(), "kubeadmInit kept the join command as a credential");
        secrets.add(token.group(2));
        String adminConf = node("cp1", "cat /etc/kubernetes/admin.conf");
        Matcher key = Pattern.compile("client-key-data: (\\S+)").matcher(adminConf);
        assertTrue(key.find(), "admin.conf has a client key");
        secrets.add(key.group(1));
    }

    /**
     * What the lab's admin sees in a real browser (Debian's headless Chromium, signed in through the login
     * form): the build, its cluster page, and the Snippet Generator writing a prepareNode call with the
     * step's help. A screenshot of each page is kept with the test reports (target/failsafe-reports/browser/).
     */
    @Test
    @Order(4)
    void aBrowserShowsTheBuildItsClusterAndThePrepareNodeSnippet() throws Throwable {
        try (JenkinsBrowser browser = JenkinsBrowser.start("http://127.0.0.1:" + port + "/", BROWSER_REPORTS)) {
            browser.logIn(KitJenkins.ADMIN_USER, password);
            assertNoSecretOn(browser);

            browser.check("build-page", () -> {
                browser.open("job/kubeadm-lab/1/");
                String text = browser.text();
                // The build's status beside its heading: an icon, with its name for screen readers.
                assertEquals("Success", browser.find(By.cssSelector(".jenkins-build-caption .jenkins-visually-hidden"))
                        .getDomProperty("textContent").trim(), "the build's status");
                assertTrue(text.contains("Tests (no failures)"), "verifyCluster's checks are in the build's Tests: " + text);
                assertTrue(text.contains("Kubernetes cluster: 3 node(s)"), "the build's cluster summary: " + text);
                assertTrue(text.contains("Build Artifacts") && text.contains("worker1/04-kubeadm-join.log"), "the step logs are artifacts: " + text);
                assertEquals("Kubernetes cluster", clusterLinkInSidePanel(browser).getText().trim());
                assertNoSecretOn(browser);
            });

            browser.check("cluster-page", () -> {
                clusterLinkInSidePanel(browser).click(); // as a person gets there
                browser.until("the cluster page's heading", d -> d.findElements(By.cssSelector("#main-panel h1")).stream()
                        .anyMatch(h1 -> h1.getText().equals("Kubernetes cluster")));
                assertTrue(browser.driver().getCurrentUrl().contains("/job/kubeadm-lab/1/kubeadm-cluster"), browser.driver().getCurrentUrl());
                Map<String, Map<String, String>> steps = tableByFirstColumn(browser.find(By.id("kubeadm-steps")));
                assertEquals(List.of("cp1", "worker1", "worker2"), List.copyOf(steps.keySet()), "the nodes, in order");
                assertEquals("control-plane", steps.get("cp1").get("Role"));
                for (String node : steps.keySet()) {
                    List<String> ran = new ArrayList<>(List.of("reset-node", "prepare-node", "install-runtime"));
                    ran.addAll(node.equals("cp1") ? List.of("kubeadm-init", "delete-join-token") : List.of("kubeadm-join"));
                    for (String step : ran) {
                        assertTrue(String.valueOf(steps.get(node).get(step)).startsWith("ok"), node + " " + step + ": " + steps.get(node));
                    }
                    // As verifyCluster, the build's last step, found each Node.
                    assertEquals("v1.26.1", steps.get(node).get("Kubelet"), node + ": " + steps.get(node));
                    assertEquals("Ready", steps.get(node).get("Status"), node + ": " + steps.get(node));
                }
                String facts = browser.find(By.id("kubeadm-facts")).getText();
                assertTrue(facts.contains("Kubernetes version v1.26.1"), facts);
                assertTrue(facts.contains("CNI flannel"), facts);
                assertFalse(browser.text().contains("FAILED"), "no step failed");
                assertNoSecretOn(browser);
            });

            browser.check("snippet-generator-prepareNode", () -> {
                browser.open("job/kubeadm-lab/pipeline-syntax/");
                // The page renders the form of the step selected first after it loads; picking another before that ends
                // leaves both forms shown (and the generator reads the wrong one), so its fields' help links are awaited first.
                browser.until("the first Sample Step's form", d -> d.findElements(By.cssSelector("a.jenkins-help-button[helpurl*='/help/']"))
                        .stream().anyMatch(WebElement::isDisplayed));
                Select sampleStep = new Select(browser.find(By.xpath(
                        "//div[contains(@class,'jenkins-form-item')][div[contains(@class,'jenkins-form-label') and normalize-space()='Sample Step']]//select")));
                // The options read "prepareNode: <the step's display name>".
                WebElement prepareNode = sampleStep.getOptions().stream().filter(o -> o.getText().startsWith("prepareNode: ")).findFirst()
                        .orElseThrow(() -> new AssertionError("prepareNode is not among the Sample Steps"));
                sampleStep.selectByVisibleText(prepareNode.getText());
                // The chosen step's form is rendered on demand; each field's "?" link names the step's help file.
                WebElement labelHelp = browser.until("prepareNode's form", d -> d.findElements(By.cssSelector(
                        "a.jenkins-help-button[helpurl$='PrepareNodeStep/help/label']")).stream().filter(WebElement::isDisplayed).findFirst().orElse(null));
                WebElement labelField = labelHelp.findElement(By.xpath("ancestor::div[contains(@class,'jenkins-form-item')][1]"));
                labelField.findElement(By.name("_.label")).sendKeys("k8s-worker");

                labelHelp.click();
                WebElement help = labelField.findElement(By.cssSelector(".help-area .help"));
                browser.until("the label's help", d -> help.isDisplayed() && help.getText().contains("Where the step runs"));
                assertTrue(help.getText().contains("k8s-control-plane || k8s-worker"), help.getText());

                browser.find(By.id("generatePipelineScript")).click();
                WebElement snippet = browser.find(By.id("prototypeText"));
                browser.until("the generated snippet", d -> !snippet.getDomProperty("value").isEmpty());
                assertEquals("prepareNode label: 'k8s-worker'", snippet.getDomProperty("value").trim());
                assertNoSecretOn(browser);
            });
        }
        assertEquals(List.of(), LeakSearch.filesContaining(BROWSER_REPORTS, secrets), "the screenshots' folder holds a secret");
    }

    static WebElement clusterLinkInSidePanel(JenkinsBrowser browser) {
        return browser.find(By.xpath("//div[@id='tasks']//a[normalize-space()='Kubernetes cluster']"));
    }

    /** A table's rows by their first cell, each row's cells by the column's heading. */
    static Map<String, Map<String, String>> tableByFirstColumn(WebElement table) {
        List<String> headings = table.findElements(By.cssSelector("thead th")).stream().map(th -> th.getText().trim()).toList();
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (WebElement row : table.findElements(By.cssSelector("tbody tr"))) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            Map<String, String> byHeading = new LinkedHashMap<>();
            for (int i = 0; i < cells.size() && i < headings.size(); i++) {
                byHeading.put(headings.get(i), cells.get(i).getText().trim());
            }
            rows.put(cells.get(0).getText().trim(), byHeading);
        }
        return rows;
    }

    /** The password and the cluster's secrets are neither shown nor anywhere in the page's HTML. */
    static void assertNoSecretOn(JenkinsBrowser browser) {
        String text = browser.text();
        String html = browser.html();
        for (String secret : secrets) {
            assertFalse(text.contains(secret) || html.contains(secret), "a secret is on " + browser.driver().getCurrentUrl());
        }
    }

    @Test
    @Order(5)
    void statusShowsTheLabAndTheReadyCluster() throws Exception {
        Run status = lab(Duration.ofMinutes(2), "status");
        assertEquals(0, status.exit(), status.output());
        assertTrue(status.output().contains("Build:    kubeadm-lab #1 SUCCESS"), status.output());
        assertTrue(status.output().contains("http://127.0.0.1:" + port + "/"), status.output());
        assertEquals(3, status.output().lines().filter(l -> l.matches("(cp1|worker\\d) +Ready .*")).count(), status.output());
        assertFalse(status.output().contains(password), "status never shows the password");
    }

    /**
     * What a Jenkinsfile author on a shared Jenkins would try, against the lab as it is (every administrator
     * setting off): each fails naming why, and nothing changes. (The lab's builds run as SYSTEM, so the
     * Agent/Build checks are shown by BuildAccessTest instead.)
     */
    @Test
    @Order(6)
    void whatAJenkinsfileAuthorWouldTryFailsAndChangesNothing() throws Exception {
        KitJenkins jenkins = KitJenkins.attach("http://127.0.0.1:" + port + "/", labDir.resolve("jenkins-home"), password);
        Path marker = Path.of("/tmp", "kubeadm-lab-it-exec-" + System.nanoTime());
        String kubeconfig = String.join("\n", "apiVersion: v1", "kind: Config", "current-context: c",
                "contexts:", "- name: c", "  context: {cluster: k, user: u}",
                "clusters:", "- name: k", "  cluster: {server: 'https://127.0.0.1:6443'}",
                "users:", "- name: u", "  user:", "    exec:", "      apiVersion: client.authentication.k8s.io/v1",
                "      command: /bin/sh", "      args: ['-c', 'touch " + marker + "']", "");
        jenkins.groovy(String.join("\n",
                "import com.cloudbees.plugins.credentials.CredentialsScope",
                "import com.cloudbees.plugins.credentials.SecretBytes",
                "import com.cloudbees.plugins.credentials.SystemCredentialsProvider",
                "import com.cloudbees.plugins.credentials.domains.Domain",
                "import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl",
                "import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl",
                "def store = SystemCredentialsProvider.getInstance().getStore()",
                "store.addCredentials(Domain.global(), new FileCredentialsImpl(CredentialsScope.GLOBAL, 'evil-kubeconfig', '', 'config',"
                        + " SecretBytes.fromBytes('" + java.util.Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8))
                        + "'.decodeBase64())))",
                // A team's folder with a secret of theirs, and a job there that names it as the join credential.
                "def team = jenkins.model.Jenkins.get().createProject(com.cloudbees.hudson.plugins.folder.Folder, 'team')",
                "com.cloudbees.plugins.credentials.CredentialsProvider.lookupStores(team).find { it.context == team }"
                        + ".addCredentials(Domain.global(), new StringCredentialsImpl(CredentialsScope.GLOBAL, 'team-deploy-token',"
                        + " 'a team secret', hudson.util.Secret.fromString('deploy-token-value-7')))",
                "team.createProject(org.jenkinsci.plugins.workflow.job.WorkflowJob, 'attack-credential').definition ="
                        + " new org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition(\"kubeadmInit(label: 'k8s-control-plane',"
                        + " joinCredentialsId: 'team-deploy-token')\", true)"));
        String adminConfBefore = node("cp1", "md5sum /etc/kubernetes/admin.conf; kubeadm token list 2>/dev/null | cut -d' ' -f1 | sort");

        // A kubeconfig whose exec entry would run a command on the controller.
        jenkins.pipelineJob("attack-kubeconfig", "applyCni(kubeconfigCredentialsId: 'evil-kubeconfig')");
        KitJenkins.Build b = jenkins.build("attack-kubeconfig", Duration.ofMinutes(3));
        assertEquals("FAILURE", b.result(), b.console());
        assertTrue(b.console().contains("kubeconfigCredentialsId: a cluster step talking to the cluster from the controller is not"
                + " allowed on this Jenkins"), b.console());
        assertFalse(Files.exists(marker), "the kubeconfig's exec command ran on the controller");

        // A secret kubeadmInit did not write, named as the join credential: it must not be overwritten.
        b = jenkins.build("team/attack-credential", Duration.ofMinutes(3));
        assertEquals("FAILURE", b.result(), b.console());
        assertTrue(b.console().contains("kubeadmInit cannot keep the join command under 'team-deploy-token'"), b.console());
        assertFalse(b.console().contains("[cp1]"), "kubeadmInit reached cp1:\n" + b.console());
        assertEquals("deploy-token-value-7", jenkins.groovy("def team = jenkins.model.Jenkins.get().getItemByFullName('team')\n"
                + "print(com.cloudbees.plugins.credentials.CredentialsProvider.lookupStores(team).find { it.context == team }"
                + ".getCredentials(com.cloudbees.plugins.credentials.domains.Domain.global())"
                + ".find { it.id == 'team-deploy-token' }.secret.plainText)").trim());

        // The lab's job (in no folder) kept its join command inside its build: no job can read it from the global store.
        assertEquals("0", jenkins.groovy("print(com.cloudbees.plugins.credentials.SystemCredentialsProvider.getInstance().getStore()"
                + ".getCredentials(com.cloudbees.plugins.credentials.domains.Domain.global())"
                + ".count { it instanceof io.jenkins.plugins.kubeadm.credentials.JoinCommandSecret })").trim());

        // The controller as an SSH client of hosts the author picks, without a host key check.
        jenkins.pipelineJob("attack-ssh", "resetNode(inventory: 'cp1 control-plane root@127.0.0.1', sshCredentialsId: 'none',"
                + " acceptAnyHostKey: true)");
        b = jenkins.build("attack-ssh", Duration.ofMinutes(3));
        assertEquals("FAILURE", b.result(), b.console());
        assertTrue(b.console().contains("acceptAnyHostKey: skipping the nodes' host key check is not allowed on this Jenkins"), b.console());
        jenkins.pipelineJob("attack-ssh", "resetNode(inventory: 'cp1 control-plane root@127.0.0.1', sshCredentialsId: 'none',"
                + " knownHostsCredentialsId: 'none')");
        b = jenkins.build("attack-ssh", Duration.ofMinutes(3));
        assertEquals("FAILURE", b.result(), b.console());
        assertTrue(b.console().contains("inventory: the controller as SSH client is not allowed on this Jenkins"), b.console());

        assertEquals(adminConfBefore, node("cp1", "md5sum /etc/kubernetes/admin.conf; kubeadm token list 2>/dev/null | cut -d' ' -f1 | sort"),
                "the control plane changed");
    }

    @Test
    @Order(7)
    void noSecretIsAnywhereTheLabWrote() throws Exception {
        assertEquals(3, secrets.size(), "password, token secret and client key were collected");
        assertEquals(List.of(), LeakSearch.filesContaining(labDir, secrets), "the lab folder (Jenkins home, lab.log) holds a secret");
        byte[] patterns = (String.join("\n", secrets.subList(0, 2)) + "\n").getBytes(StandardCharsets.UTF_8);
        for (String node : List.of("cp1", "worker1", "worker2")) {
            // The agents' workspaces and remoting caches included; etcd's history keeps the deleted token, root-only, as on any cluster.
            Host.Result files = nodeAttempt(node, "grep -rlsF -f - / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev --exclude-dir=etcd; true", patterns);
            assertEquals("", files.stdout(), node + ": files hold the password or the join token");
            assertEquals("0", nodeAttempt(node, "journalctl --no-pager -o cat | grep -cF -f -; true", patterns).stdout().trim(),
                    node + ": the journal holds the password or the join token");
        }
        // The key reaches grep on stdin, never in the command line.
        String agentFiles = nodeAttempt("cp1", "grep -rlsF -f - /var/lib/jenkins-agent; true",
                (secrets.get(2) + "\n").getBytes(StandardCharsets.UTF_8)).stdout();
        assertEquals("", agentFiles, "the agent's workspace holds the admin kubeconfig's key");
    }

    @Test
    @Order(8)
    void downRemovesEverythingUpMade() throws Exception {
        String bridge = recorded.getProperty("bridge");
        assertTrue(bridge != null && bridge.startsWith("kpt"), "the lab recorded its network: " + recorded);
        Run down = lab(Duration.ofMinutes(6), "down");
        assertEquals(0, down.exit(), down.output());
        assertTrue(down.output().contains("The lab is down"), down.output());
        assertFalse(Files.exists(labDir), "the lab folder (and the Jenkins home in it) is gone");
        assertFalse(Host.attempt("ip", "link", "show", bridge).ok(), "the nodes' bridge is gone");
        String rules = Host.run("iptables-save") + Host.run("iptables-save", "-t", "nat");
        assertFalse(rules.contains("kubeadm-pipeline-test-" + bridge), "the lab's iptables rules are gone");
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains("--httpPort=" + port)),
                "the lab's Jenkins is stopped");
        try (ServerSocket free = new ServerSocket(port)) {
            assertEquals(port, free.getLocalPort(), "Jenkins' port is free again");
        }
        Run again = lab(Duration.ofMinutes(2), "down");
        assertEquals(0, again.exit(), again.output());
        assertTrue(again.output().contains("No lab is up"), again.output());
    }

    static String node(String name, String command) {
        Host.Result r = nodeAttempt(name, command, null);
        assertTrue(r.ok(), name + ": " + command + ": " + r.stderr());
        return r.stdout();
    }

    static Host.Result nodeAttempt(String name, String command, byte[] stdin) {
        return new LabState(labDir).ssh(name, command, stdin);
    }

    /** A failed run must not leave a lab behind for the next. */
    @AfterAll
    static void takeDownWhatIsLeft() throws Exception {
        if (labDir != null && Files.exists(labDir)) {
            lab(Duration.ofMinutes(6), "down");
        }
    }
}
