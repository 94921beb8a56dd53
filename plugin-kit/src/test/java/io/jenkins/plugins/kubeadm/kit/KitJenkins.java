package io.jenkins.plugins.kubeadm.kit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Jenkins kit's controller (JENKINS_KIT: its jenkins.war and 65 plugins) started as
 * {@code java -jar jenkins.war} on 127.0.0.1 with our packaged .hpi installed, as a user installs it.
 * The tests' controller has security off (loopback only, as long as a test); the lab's has an admin
 * user and CSRF protection ({@link Settings#adminPassword}). Driven through the script console and
 * the REST API.
 */
public final class KitJenkins implements AutoCloseable {

    public record Build(int number, String result, String console) {
    }

    /**
     * Where and how to run: {@code home} null = a fresh temporary folder, {@code port} 0 = any free
     * port, {@code adminPassword} null = security off. The password reaches Jenkins only through its
     * process environment, read once by an init script that creates the user (Jenkins keeps its hash).
     */
    public record Settings(Path home, int port, String adminPassword) {
        public static Settings forTests() {
            return new Settings(null, 0, null);
        }

        @Override
        public String toString() { // never the password
            return "Settings[home=" + home + ", port=" + port + ", security=" + (adminPassword != null) + "]";
        }
    }

    public static final String ADMIN_USER = "admin";
    private static final String PASSWORD_VARIABLE = "KUBEADM_LAB_ADMIN_PASSWORD";

    private final Path home;
    private final Process process;
    private final String url;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .cookieHandler(new java.net.CookieManager()).build();

    private KitJenkins(Path home, Process process, String url, String adminPassword) {
        this.home = home;
        this.process = process;
        this.url = url;
        this.authorization = adminPassword == null ? null : "Basic " + java.util.Base64.getEncoder()
                .encodeToString((ADMIN_USER + ":" + adminPassword).getBytes(StandardCharsets.UTF_8));
    }

    /** The kit's folder, from JENKINS_KIT; a missing kit fails the test, it never skips it. */
    public static Path kit() {
        String kit = System.getenv("JENKINS_KIT");
        if (kit == null || !Files.isRegularFile(Path.of(kit, "jenkins.war"))) {
            throw new IllegalStateException("JENKINS_KIT='" + kit + "' holds no jenkins.war: the plugin cannot be proven in a real"
                    + " Jenkins without the kit (.ci/run sets JENKINS_KIT=../shared/jenkins-kit)");
        }
        return Path.of(kit);
    }

    /** Starts the kit's Jenkins with every kit plugin and {@code hpi}, and waits until it is up. */
    public static KitJenkins start(Path hpi) throws IOException, InterruptedException {
        return start(hpi, Settings.forTests());
    }

    public static KitJenkins start(Path hpi, Settings settings) throws IOException, InterruptedException {
        Path kit = kit();
        if (!Files.isRegularFile(hpi)) {
            throw new IllegalStateException("no packaged plugin at " + hpi + " (mvn package builds it)");
        }
        Path home = settings.home() != null ? Files.createDirectories(settings.home())
                : Files.createTempDirectory(Path.of("/var/tmp"), "kubeadm-pipeline-e2e-home");
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        try (Stream<Path> jpis = Files.list(kit.resolve("plugins"))) {
            for (Path jpi : (Iterable<Path>) jpis.filter(p -> p.toString().endsWith(".jpi"))::iterator) {
                Files.copy(jpi, plugins.resolve(jpi.getFileName()));
            }
        }
        Files.copy(hpi, plugins.resolve("kubeadm-pipeline.jpi"));
        Path init = Files.createDirectories(home.resolve("init.groovy.d"));
        if (settings.adminPassword() == null) {
            Files.writeString(init.resolve("test.groovy"), String.join("\n",
                    "def j = jenkins.model.Jenkins.get()",
                    "j.setCrumbIssuer(null)  // a loopback-only test controller",
                    "j.setNumExecutors(1)",
                    "j.save()", ""));
        } else {
            Files.writeString(init.resolve("security.groovy"), String.join("\n",
                    "import hudson.security.FullControlOnceLoggedInAuthorizationStrategy",
                    "import hudson.security.HudsonPrivateSecurityRealm",
                    "def j = jenkins.model.Jenkins.get()",
                    "def password = System.getenv('" + PASSWORD_VARIABLE + "')",
                    "if (password && !(j.securityRealm instanceof HudsonPrivateSecurityRealm)) {",
                    "  def realm = new HudsonPrivateSecurityRealm(false)",
                    "  realm.createAccount('" + ADMIN_USER + "', password)",
                    "  j.securityRealm = realm",
                    "  def strategy = new FullControlOnceLoggedInAuthorizationStrategy()",
                    "  strategy.allowAnonymousRead = false",
                    "  j.authorizationStrategy = strategy",
                    "}",
                    "j.setNumExecutors(1)",
                    "j.save()", ""));
        }
        int port = settings.port();
        if (port == 0) {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder command = new ProcessBuilder(java, "-Xmx1g", "-Djenkins.install.runSetupWizard=false",
                "-Dhudson.model.UpdateCenter.never=true", "-Dhudson.model.DownloadService.never=true",
                "-jar", kit.resolve("jenkins.war").toString(), "--httpListenAddress=127.0.0.1", "--httpPort=" + port)
                .redirectErrorStream(true).redirectOutput(home.resolve("jenkins.log").toFile())
                .directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        command.environment().put("JENKINS_HOME", home.toString());
        if (settings.adminPassword() != null) {
            command.environment().put(PASSWORD_VARIABLE, settings.adminPassword());
        }
        return new KitJenkins(home, command.start(), "http://127.0.0.1:" + port + "/", settings.adminPassword());
    }

    /** A controller another process started (the lab's), driven as its admin user. */
    public static KitJenkins attach(String url, Path home, String adminPassword) {
        return new KitJenkins(home, null, url, adminPassword);
    }

    /** The controller's process id (the lab records it so `down` finds it even after a crash). */
    public long pid() {
        return process.pid();
    }

    public Path home() {
        return home;
    }

    public String url() {
        return url;
    }

    public String log() throws IOException {
        return Files.readString(home.resolve("jenkins.log"));
    }

    /** Waits until Jenkins answers and has finished starting. */
    public KitJenkins awaitUp(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("Jenkins exited:\n" + tail(log(), 4000));
            }
            try {
                if (get("api/json").statusCode() == 200 && log().contains("Jenkins is fully up and running")) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("Jenkins did not come up within " + timeout + ":\n" + tail(log(), 4000));
    }

    /** Runs Groovy in the script console and returns what it printed. */
    public String groovy(String script) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(post("scriptText")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("script=" + URLEncoder.encode(script, StandardCharsets.UTF_8)))
                .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("script console answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /**
     * Turns on administrator settings of the plugin (Manage Jenkins &gt; System &gt; kubeadm-pipeline), by
     * their field names, such as controllerSshAllowed; everything else stays off, as on a new instance.
     */
    public void allow(String... settings) throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder("def s = io.jenkins.plugins.kubeadm.security.KubeadmPipelineSettings.get()\n");
        for (String setting : settings) {
            if (!setting.matches("[a-zA-Z]+Allowed")) {
                throw new IllegalArgumentException("not a setting name: " + setting);
            }
            script.append("s.").append(setting).append(" = true\n");
        }
        groovy(script.toString());
    }

    /**
     * The join command kubeadmInit kept for the job under the job's own id: its credential, or else
     * what its last build keeps inside itself (a job outside any folder); empty for none. SECRET: tests
     * use it only to search for leaks.
     */
    public String joinCommandCredential(String job) throws IOException, InterruptedException {
        if (!job.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("not a job name: " + job);
        }
        return groovy("import org.jenkinsci.plugins.plaincredentials.StringCredentials\n"
                + "def job = jenkins.model.Jenkins.get().getItemByFullName('" + job + "')\n"
                + "def id = io.jenkins.plugins.kubeadm.credentials.JoinCommandCredential.defaultId(job)\n"
                + "def c = com.cloudbees.plugins.credentials.CredentialsProvider.lookupCredentialsInItem(StringCredentials, job,"
                + " hudson.security.ACL.SYSTEM2).find { it.id == id }\n"
                + "def kept = c != null ? c.secret : job.lastBuild?.getAction(io.jenkins.plugins.kubeadm.credentials.BuildJoinCommands)?.get(id)\n"
                + "print(kept == null ? '' : kept.plainText)").trim();
    }

    /** Declarative's validator (pipeline-model-definition's converter endpoint): its verdict on a Jenkinsfile. */
    public String validateDeclarative(String jenkinsfile) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(post("pipeline-model-converter/validate")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("jenkinsfile=" + URLEncoder.encode(jenkinsfile, StandardCharsets.UTF_8)))
                .timeout(Duration.ofMinutes(1)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("the Declarative validator answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).timeout(Duration.ofMinutes(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request as the admin user when security is on. */
    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path));
        return authorization == null ? b : b.header("Authorization", authorization);
    }

    /** A POST request; with security on it carries a CSRF crumb of this client's session (the cookie handler keeps it). */
    private HttpRequest.Builder post(String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path);
        if (authorization != null) {
            HttpResponse<String> crumb = get("crumbIssuer/api/json");
            Matcher m = Pattern.compile("\"crumbRequestField\":\"([^\"]+)\".*?\"crumb\":\"([^\"]+)\"|\"crumb\":\"([^\"]+)\".*?\"crumbRequestField\":\"([^\"]+)\"")
                    .matcher(crumb.body());
            if (crumb.statusCode() != 200 || !m.find()) {
                throw new IOException("no CSRF crumb from " + url + "crumbIssuer/api/json: " + crumb.statusCode());
            }
            b = m.group(1) != null ? b.header(m.group(1), m.group(2)) : b.header(m.group(4), m.group(3));
        }
        return b;
    }

    /** Creates or replaces a Pipeline job with this script (sandboxed, as a Jenkinsfile from SCM would run). */
    public void pipelineJob(String name, String script) throws IOException, InterruptedException {
        String xml = "<?xml version='1.1' encoding='UTF-8'?>\n<flow-definition plugin=\"workflow-job\">"
                + "<definition class=\"org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition\" plugin=\"workflow-cps\">"
                + "<script>" + escapeXml(script) + "</script><sandbox>true</sandbox></definition></flow-definition>";
        boolean exists = get("job/" + name + "/api/json").statusCode() == 200;
        String path = exists ? "job/" + name + "/config.xml" : "createItem?name=" + name;
        HttpResponse<String> r = http.send(post(path)
                .header("Content-Type", "application/xml").POST(HttpRequest.BodyPublishers.ofString(xml)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("could not save job " + name + ": " + r.statusCode() + " " + r.body());
        }
    }

    /** Starts a build of the job, waits for it to finish (printing progress), returns its result and console. */
    public Build build(String job, Duration timeout) throws IOException, InterruptedException {
        String number = groovy("def b = jenkins.model.Jenkins.get().getItemByFullName('" + job + "').scheduleBuild2(0).waitForStart()\n"
                + "print b.number").trim();
        String path = "job/" + job.replace("/", "/job/"); // a job in a folder: job/team/job/lab
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastReport = 0;
        while (true) {
            String state = get(path + "/" + number + "/api/json?tree=building,result").body();
            Matcher result = Pattern.compile("\"result\":\"([A-Z_]+)\"").matcher(state);
            if (!state.contains("\"building\":true") && result.find()) {
                return new Build(Integer.parseInt(number), result.group(1), get(path + "/" + number + "/consoleText").body());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(job + " #" + number + " did not finish within " + timeout + "; console so far:\n"
                        + tail(get(path + "/" + number + "/consoleText").body(), 4000));
            }
            if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(30)) {
                System.err.println("[kit-jenkins] waiting for " + job + " #" + number + "...");
                lastReport = System.nanoTime();
            }
            Thread.sleep(1000);
        }
    }

    /** The build's archived artifacts' relative paths. */
    public String artifacts(String job, int number) throws IOException, InterruptedException {
        return get("job/" + job + "/" + number + "/api/json?tree=artifacts[relativePath]").body();
    }

    public String artifact(String job, int number, String relativePath) throws IOException, InterruptedException {
        HttpResponse<String> r = get("job/" + job + "/" + number + "/artifact/" + relativePath);
        if (r.statusCode() != 200) {
            throw new IOException("no artifact " + relativePath + " in " + job + " #" + number + ": " + r.statusCode());
        }
        return r.body();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process == null) {
            return; // attached: its owner stops it
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** Removes the Jenkins home (after the test searched it). */
    public void deleteHome() throws IOException {
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    static String escapeXml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&apos;");
    }

    public static String tail(String s, int chars) {
        return s.length() <= chars ? s : "..." + s.substring(s.length() - chars);
    }
}
