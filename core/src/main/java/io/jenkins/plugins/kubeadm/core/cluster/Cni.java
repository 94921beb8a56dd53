package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.params.ParameterException;
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

    /** Parses the step's {@code cni} parameter; flannel when blank. */
    public static Cni parse(String parameter, String value) {
        if (value == null || value.isBlank()) {
            return FLANNEL;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (Cni cni : values()) {
            if (cni.catalogName.equals(v)) {
                return cni;
            }
        }
        throw new ParameterException(parameter, "'" + value + "' is not a supported CNI",
                Arrays.stream(values()).map(Cni::catalogName).collect(Collectors.joining(", ")) + " (default flannel)");
    }
}
