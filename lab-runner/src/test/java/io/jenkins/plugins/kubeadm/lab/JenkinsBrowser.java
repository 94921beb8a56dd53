package io.jenkins.plugins.kubeadm.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumDriverLogLevel;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium on a Jenkins, as a person uses it: the login form, pages by their path,
 * what the page shows as text, and a screenshot of each page kept with the test reports. Both binaries
 * are given by path, so Selenium Manager never looks for (or downloads) a browser or a driver.
 */
final class JenkinsBrowser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(30);

    /*
     * Selenium looks for its DevTools module matching the browser's version and warns that there is none;
     * the test uses no DevTools, so the warning is noise. (A field: java.util.logging keeps loggers weakly.)
     */
    private static final Logger CDP_VERSION_FINDER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    private final String jenkinsUrl;
    private final Path evidence;
    private final Path profile;
    private final ChromeDriver driver;
    private final WebDriverWait wait;

    private JenkinsBrowser(String jenkinsUrl, Path evidence, Path profile, ChromeDriver driver) {
        this.jenkinsUrl = jenkinsUrl;
        this.evidence = evidence;
        this.profile = profile;
        this.driver = driver;
        this.wait = new WebDriverWait(driver, WAIT);
    }

    /**
     * A browser on {@code jenkinsUrl} (ending with /), keeping its screenshots and chromedriver's warnings in
     * {@code evidence}. A machine without the browser fails here: CI installs it, and a browser test that
     * skips would pass without having looked at anything.
     */
    static JenkinsBrowser start(String jenkinsUrl, Path evidence) throws IOException {
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(binary)) {
                throw new AssertionError(binary + " is missing: the browser test needs Debian's chromium and chromium-driver"
                        + " (apt-get install --no-install-recommends chromium chromium-driver; .ci/run installs them)");
            }
        }
        Files.createDirectories(evidence);
        CDP_VERSION_FINDER.setLevel(Level.SEVERE);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                // Warnings only: at INFO chromedriver logs every command, the typed password included.
                .withLogLevel(ChromiumDriverLogLevel.WARNING)
                .withLogFile(evidence.resolve("chromedriver.log").toFile())
                .build();
        // A profile of its own, removed on close: it holds the Jenkins session's cookie.
        Path profile = Files.createTempDirectory("kubeadm-lab-browser");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // Root on a machine without a display, whose /dev/shm may be small.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--user-data-dir=" + profile);
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
            return new JenkinsBrowser(jenkinsUrl, evidence, profile, driver);
        } catch (RuntimeException e) {
            deleteProfile(profile);
            throw e;
        }
    }

    /** Signs in through Jenkins' own login form, as a person would. */
    void logIn(String user, String password) {
        open("login");
        driver.findElement(By.name("j_username")).sendKeys(user);
        driver.findElement(By.name("j_password")).sendKeys(password);
        driver.findElement(By.cssSelector("form[name='login'] button[type='submit']")).click();
        // A wrong password lands on /loginError: the wait then fails, naming the form.
        until("the login form to be left", d -> !d.getCurrentUrl().contains("/login"));
        // The header's user menu names whoever is signed in (Jenkins' script drops its link's href, so its id).
        until("Jenkins to show " + user + " as signed in", d -> d.findElements(By.id("root-action-UserAction")).stream()
                .anyMatch(menu -> menu.getText().trim().equals(user)));
    }

    /** Opens a page of Jenkins by its path below the root, and waits until it is loaded. */
    void open(String path) {
        driver.get(jenkinsUrl + path);
        until(path + " to load", d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
    }

    /** The page's text as shown (hidden elements left out). */
    String text() {
        return driver.findElement(By.tagName("body")).getText();
    }

    /** The page's HTML as it is now (scripts may have changed it since it loaded). */
    String html() {
        return driver.getPageSource();
    }

    WebDriver driver() {
        return driver;
    }

    WebElement find(By by) {
        return driver.findElement(by);
    }

    /** Waits up to {@link #WAIT} for the condition to hold (not to be null or false); fails saying what it waited for. */
    <T> T until(String what, Function<WebDriver, T> condition) {
        return wait.withMessage("waited " + WAIT.toSeconds() + " s for " + what).until(condition);
    }

    /**
     * Runs a page's checks, then keeps {@code name}.png. When a check fails, the screenshot and the page's
     * text ({@code name}.txt) are kept first, so the report shows what the browser saw.
     */
    void check(String name, Executable checks) throws Throwable {
        try {
            checks.execute();
        } catch (Throwable failure) {
            try {
                Files.writeString(evidence.resolve(name + ".txt"), driver.getCurrentUrl() + "\n\n" + text(), StandardCharsets.UTF_8);
                screenshot(name);
            } catch (RuntimeException | IOException cannotKeep) {
                failure.addSuppressed(cannotKeep);
            }
            throw failure;
        }
        screenshot(name);
    }

    /** The whole page, also what lies below the window, as {@code name}.png in the evidence folder. */
    Path screenshot(String name) throws IOException {
        // From the top, or Jenkins' sticky header would be drawn where the page was scrolled to.
        driver.executeScript("window.scrollTo(0, 0)");
        // Chromium's own capture (through chromedriver, no DevTools module): Selenium's takes the window only.
        Map<String, Object> page = cssContentSize();
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", page.get("width"), "height", page.get("height"), "scale", 1)));
        Path png = evidence.resolve(name + ".png");
        Files.write(png, Base64.getDecoder().decode((String) shot.get("data")));
        return png;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> cssContentSize() {
        return (Map<String, Object>) driver.executeCdpCommand("Page.getLayoutMetrics", Map.of()).get("cssContentSize");
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            deleteProfile(profile);
        }
    }

    private static void deleteProfile(Path profile) throws IOException {
        try (Stream<Path> files = Files.walk(profile)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
