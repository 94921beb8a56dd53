package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.addons.Addon;
import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The CNIs applyCni installs; each is an entry of the add-on catalog. */
public enum Cni {
    FLANNEL("flannel"),
    WEAVE("weave"),
    CALICO("calico");

    private final String catalogName;

    Cni(String catalogName) {
        this.catalogName = catalogName;
    }

    public String catalogName() {
        return catalogName;
    }

    /**
     * This CNI's release {@code version} from the catalog, checked as the user's parameter {@code parameter}
     * (form, then whether the catalog pins it, listing the pinned versions if not); blank: the catalog's default.
     */
    public Addon release(AddonCatalog catalog, String parameter, String version) {
        if (version == null || version.isBlank()) {
            return catalog.addon(catalogName);
        }
        String v = Validators.addonVersion(parameter, version);
        if (!catalog.versions(catalogName).contains(v)) {
            String displayName = catalog.addon(catalogName).displayName();
            throw new ParameterException(parameter, displayName + " " + v + " is not in the add-on catalog",
                    "a pinned " + displayName + " release: " + catalog.versionsLabel(catalogName));
        }
        return catalog.addon(catalogName, v);
    }

    /** The CNI when none is asked for: Flannel, whose default pod network kubeadmInit's default matches. */
    public static final Cni DEFAULT = FLANNEL;

    /** Parses the step's {@code cni} parameter; {@link #DEFAULT} when blank. */
    public static Cni parse(String parameter, String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (Cni cni : values()) {
            if (cni.catalogName.equals(v)) {
                return cni;
            }
        }
        throw new ParameterException(parameter, "'" + value + "' is not a supported CNI",
                Arrays.stream(values()).map(Cni::catalogName).collect(Collectors.joining(", ")) + " (default " + DEFAULT.catalogName + ")");
    }
}
