package io.jenkins.plugins.kubeadm.core.addons;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The add-on catalog, {@code resources/kubeadm/addons/catalog.json}: per add-on the pinned upstream
 * releases (one of them the default), each with its manifest URL, the images and tags it must use and
 * the objects it must contain. The manifests themselves are never stored; they are downloaded from the
 * URL when a step runs.
 */
public final class AddonCatalog {

    /** Classpath location of the catalog shipped in the core jar. */
    public static final String RESOURCE = "/kubeadm/addons/catalog.json";

    /** The catalog's shape: 2 lists releases per add-on (1 had one release per add-on). */
    static final int SCHEMA_VERSION = 2;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** One add-on's pinned releases by version, in catalog order, and the version used when none is asked for. */
    private record Releases(String defaultVersion, Map<String, Addon> byVersion) {
    }

    private final Map<String, Releases> addons;

    private AddonCatalog(Map<String, Releases> addons) {
        this.addons = Collections.unmodifiableMap(addons);
    }

    /** The catalog shipped with this library. */
    public static AddonCatalog load() {
        try (InputStream in = AddonCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("add-on catalog " + RESOURCE + " is missing from the classpath");
            }
            return parse(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read add-on catalog " + RESOURCE, e);
        }
    }

    /** Parses and checks a catalog; a malformed entry is an error naming the add-on and the field. */
    public static AddonCatalog parse(InputStream json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json);
        if (root == null || root.path("schemaVersion").asInt() != SCHEMA_VERSION || !root.path("addons").isArray()) {
            throw new IllegalStateException("add-on catalog: expected {\"schemaVersion\": " + SCHEMA_VERSION
                    + ", \"addons\": [...]}");
        }
        Map<String, Releases> addons = new LinkedHashMap<>();
        for (JsonNode entry : root.path("addons")) {
            String name = text(entry, "name", "?");
            if (addons.put(name, releases(entry, name)) != null) {
                throw new IllegalStateException("add-on catalog: '" + name + "' is listed twice");
            }
        }
        return new AddonCatalog(addons);
    }

    public List<String> names() {
        return List.copyOf(addons.keySet());
    }

    /** The named add-on's default release; an unknown name is an error listing the known ones. */
    public Addon addon(String name) {
        Releases releases = releases(name);
        return releases.byVersion().get(releases.defaultVersion());
    }

    /**
     * The named add-on's release {@code version}, spelt as the catalog spells it (e.g. {@code v0.20.2});
     * a version that is not pinned is an error naming the add-on and the pinned versions.
     */
    public Addon addon(String name, String version) {
        Releases releases = releases(name);
        Addon addon = releases.byVersion().get(version);
        if (addon == null) {
            throw new IllegalArgumentException("add-on '" + name + "' has no pinned release '" + version
                    + "' in the catalog (pinned: " + versionsLabel(name) + ")");
        }
        return addon;
    }

    /** The named add-on's pinned versions in catalog order, the default first. */
    public List<String> versions(String name) {
        Releases releases = releases(name);
        List<String> versions = new ArrayList<>();
        versions.add(releases.defaultVersion());
        releases.byVersion().keySet().stream().filter(v -> !v.equals(releases.defaultVersion())).forEach(versions::add);
        return List.copyOf(versions);
    }

    /** The pinned versions as error messages list them: {@code v0.27.4 (default), v0.20.2}. */
    public String versionsLabel(String name) {
        List<String> versions = versions(name);
        return versions.get(0) + " (default)" + versions.stream().skip(1).map(v -> ", " + v).collect(Collectors.joining());
    }

    private Releases releases(String name) {
        Releases releases = addons.get(name);
        if (releases == null) {
            throw new IllegalArgumentException("no add-on '" + name + "' in the catalog (known: "
                    + String.join(", ", addons.keySet()) + ")");
        }
        return releases;
    }

    private static Releases releases(JsonNode entry, String name) {
        String where = "add-on catalog entry '" + name + "'";
        String displayName = text(entry, "displayName", name);
        String defaultVersion = text(entry, "defaultVersion", name);
        if (!entry.path("releases").isArray() || entry.path("releases").isEmpty()) {
            throw new IllegalStateException(where + ": releases must list at least one release");
        }
        Map<String, Addon> byVersion = new LinkedHashMap<>();
        for (JsonNode release : entry.path("releases")) {
            Addon addon = addon(name, displayName, release);
            if (byVersion.put(addon.version(), addon) != null) {
                throw new IllegalStateException(where + ": release " + addon.version() + " is listed twice");
            }
        }
        if (!byVersion.containsKey(defaultVersion)) {
            throw new IllegalStateException(where + ": defaultVersion " + defaultVersion
                    + " is not one of its releases (" + String.join(", ", byVersion.keySet()) + ")");
        }
        return new Releases(defaultVersion, Collections.unmodifiableMap(byVersion));
    }

    private static Addon addon(String name, String displayName, JsonNode entry) {
        String version = text(entry, "version", name);
        String where = "add-on catalog entry '" + name + "'";
        if (!isSelectable(version)) {
            throw new IllegalStateException(where + ": version " + version + " must be v, then major.minor.patch, "
                    + "the form a step's version parameter accepts");
        }
        URI url;
        try {
            url = URI.create(text(entry, "manifestUrl", name));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ": manifestUrl is not a URL");
        }
        if (!"https".equals(url.getScheme()) || !url.getPath().contains(version)) {
            throw new IllegalStateException(where + ": manifestUrl must be an https URL of release " + version);
        }
        String sha256 = entry.path("sha256").isTextual() ? entry.path("sha256").asText().toLowerCase(Locale.ROOT) : null;
        if (sha256 != null && !SHA256.matcher(sha256).matches()) {
            throw new IllegalStateException(where + ": sha256 must be 64 hex digits");
        }
        List<Addon.PinnedImage> images = new ArrayList<>();
        for (JsonNode image : entry.path("images")) {
            String repository = ImageReference.parse(text(image, "repository", name)).name();
            images.add(new Addon.PinnedImage(repository, text(image, "tag", name)));
        }
        if (images.isEmpty()) {
            throw new IllegalStateException(where + ": images must list at least one image");
        }
        List<ObjectKey> expected = new ArrayList<>();
        for (JsonNode object : entry.path("expectedObjects")) {
            expected.add(objectKey(object, name));
        }
        ObjectKey workload = objectKey(entry.path("workload"), name);
        if (!expected.contains(workload)) {
            expected.add(workload);
        }
        return new Addon(name, displayName, version, url, sha256, images, workload, expected);
    }

    /** Whether a user can ask for this version: it is already in the form the version parameter normalises to. */
    private static boolean isSelectable(String version) {
        try {
            return Validators.addonVersion("version", version).equals(version);
        } catch (ParameterException e) {
            return false;
        }
    }

    private static ObjectKey objectKey(JsonNode node, String addon) {
        JsonNode namespace = node.path("namespace");
        return new ObjectKey(text(node, "kind", addon), namespace.isTextual() ? namespace.asText() : null,
                text(node, "name", addon));
    }

    private static String text(JsonNode node, String field, String addon) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new IllegalStateException("add-on catalog entry '" + addon + "': " + field + " is missing");
        }
        return value.asText();
    }
}
