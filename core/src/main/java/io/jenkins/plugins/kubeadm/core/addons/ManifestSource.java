package io.jenkins.plugins.kubeadm.core.addons;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Where a manifest comes from: a local file, or an http(s) URL downloaded when the step runs
 * (GitHub release downloads redirect, so redirects are followed, never from https to http).
 */
public final class ManifestSource {

    /** Upstream manifests are well under 1 MiB (Calico's is the largest, about 350 KiB). */
    static final int MAX_BYTES = 16 * 1024 * 1024;

    /** A manifest's bytes and where they came from (URLs without any user-info part). */
    public record Fetched(String source, byte[] content) {

        public String text() {
            return new String(content, StandardCharsets.UTF_8);
        }

        public String sha256() {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private ManifestSource() {
    }

    /**
     * An add-on's manifest: {@code manifestFile} if given, else {@code manifestUrl}, else the catalog's
     * URL for the pinned release. The SHA-256 checked is the caller's when given, else the catalog's.
     */
    public static Fetched forAddon(Addon addon, URI manifestUrl, Path manifestFile, String sha256, Duration timeout) {
        Fetched fetched = manifestFile != null ? fromFile(manifestFile)
                : download(manifestUrl != null ? manifestUrl : addon.manifestUrl(), timeout);
        String expected = sha256 != null ? sha256 : addon.sha256();
        if (expected != null) {
            checkSha256(fetched, expected);
        }
        return fetched;
    }

    public static Fetched fromFile(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new ManifestException("manifest file " + file + " is larger than " + MAX_BYTES + " bytes");
            }
            return new Fetched(file.toString(), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ManifestException("cannot read manifest file " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
    }

    public static Fetched download(URI url, Duration timeout) {
        String shown = withoutUserInfo(url);
        String hint = " (on a site without internet access, set manifestUrl to a mirror or manifestFile to a local copy)";
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(timeout).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new ManifestException("downloading " + shown + " failed: HTTP " + response.statusCode() + hint);
                }
                byte[] bytes = body.readNBytes(MAX_BYTES + 1);
                if (bytes.length > MAX_BYTES) {
                    throw new ManifestException("manifest " + shown + " is larger than " + MAX_BYTES + " bytes");
                }
                return new Fetched(shown, bytes);
            }
        } catch (IOException e) {
            throw new ManifestException("could not download " + shown + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()) + hint);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ManifestException("interrupted while downloading " + shown);
        }
    }

    public static void checkSha256(Fetched fetched, String expected) {
        String actual = fetched.sha256();
        if (!actual.equals(expected.toLowerCase(Locale.ROOT))) {
            throw new ManifestException("manifest " + fetched.source() + " has SHA-256 " + actual + " but "
                    + expected.toLowerCase(Locale.ROOT) + " is pinned; refusing to apply it");
        }
    }

    /** The URL as messages may show it: credentials in a URL are never repeated. */
    public static String withoutUserInfo(URI url) {
        if (url.getUserInfo() == null) {
            return url.toString();
        }
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), url.getQuery(),
                    url.getFragment()).toString();
        } catch (URISyntaxException e) {
            return url.getScheme() + "://" + url.getHost();
        }
    }
}
