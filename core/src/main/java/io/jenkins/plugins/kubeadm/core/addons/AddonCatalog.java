package io.jenkins.plugins.kubeadm.core.addons;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/**
 * The add-on catalog, {@code resources/kubeadm/addons/catalog.json}: per add-on the pinned upstream
 * release, its manifest URL, the images and tags it must use and the objects it must contain. The
 * manifests themselves are never stored; they are downloaded from the URL when a step runs.
 */
public final class AddonCatalog {

    /** Classpath location of the catalog shipped in the core jar. */
    public static final String RESOURCE = "/kubeadm/addons/catalog.json";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Map<String, Addon> addons;

    private AddonCatalog(Map<String, Addon> addons) {
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
        if (root == null || root.path("schemaVersion").asInt() != 1 || !root.path("addons").isArray()) {
            throw new IllegalStateException("add-on catalog: expected {\"schemaVersion\": 1, \"addons\": [...]}");
        }
        Map<String, Addon> addons = new LinkedHashMap<>();
        for (JsonNode entry : root.path("addons")) {
            Addon addon = addon(entry);
            if (addons.put(addon.name(), addon) != null) {
                throw new IllegalStateException("add-on catalog: '" + addon.name() + "' is listed twice");
            }
        }
        return new AddonCatalog(addons);
    }

    public List<String> names() {
        return List.copyOf(addons.keySet());
    }

    /** The named add-on; an unknown name is an error listing the known ones. */
    public Addon addon(String name) {
        Addon addon = addons.get(name);
        if (addon == null) {
            throw new IllegalArgumentException("no add-on '" + name + "' in the catalog (known: "
                    + String.join(", ", addons.keySet()) + ")");
        }
        return addon;
    }

    private static Addon addon(JsonNode entry) {
        String name = text(entry, "name", "?");
        String where = "add-on catalog entry '" + name + "'";
        String version = text(entry, "version", name);
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
        return new Addon(name, text(entry, "displayName", name), version, url, sha256, images, workload, expected);
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
