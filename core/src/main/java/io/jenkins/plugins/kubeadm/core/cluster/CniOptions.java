package io.jenkins.plugins.kubeadm.core.cluster;

import io.jenkins.plugins.kubeadm.core.addons.Addon;
import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import io.jenkins.plugins.kubeadm.core.params.Cidr;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Parameters of applyCni. Each setter checks its value and throws ParameterException naming the
 * parameter as the Jenkinsfile spells it; unset values keep the defaults.
 */
public final class CniOptions {

    Cni cni = Cni.FLANNEL;
    String version;
    Cidr podCidr;
    String iface;
    URI manifestUrl;
    Path manifestFile;
    String sha256;
    String imageRegistry;
    Duration timeout = Duration.ofMinutes(5);
    Duration downloadTimeout = Duration.ofSeconds(60);
    Duration heartbeat = Duration.ofSeconds(15);

    /** flannel (default), weave or calico. */
    public CniOptions cni(String value) {
        cni = Cni.parse("cni", value);
        return this;
    }

    /**
     * The pinned release of the CNI to install, e.g. {@code v0.20.2} for Flannel on an older cluster; it must
     * be in the add-on catalog. Unset: the catalog's default (newest pinned) release.
     */
    public CniOptions version(String value) {
        version = value == null || value.isBlank() ? null : Validators.addonVersion("version", value);
        return this;
    }

    /** The pod CIDR; must equal the cluster's (kubeadm init --pod-network-cidr). Read from the cluster when unset. */
    public CniOptions podCidr(String value) {
        podCidr = value == null || value.isBlank() ? null : Validators.cidr("podCidr", value);
        return this;
    }

    /** Flannel only: the node interface flanneld uses (multi-NIC nodes). */
    public CniOptions iface(String value) {
        iface = value == null || value.isBlank() ? null : Validators.networkInterface("iface", value);
        return this;
    }

    /** Download the manifest from here instead of the catalog's URL (a mirror). */
    public CniOptions manifestUrl(String value) {
        manifestUrl = value == null || value.isBlank() ? null : Validators.httpUrl("manifestUrl", value);
        return this;
    }

    /** Read the manifest from this file instead of downloading it. */
    public CniOptions manifestFile(String value) {
        manifestFile = value == null || value.isBlank() ? null : Validators.existingFile("manifestFile", value);
        return this;
    }

    /** The manifest's expected SHA-256. */
    public CniOptions sha256(String value) {
        sha256 = value == null || value.isBlank() ? null : Validators.sha256("sha256", value);
        return this;
    }

    /** Pull every image from this registry instead (same repository paths and tags). */
    public CniOptions imageRegistry(String value) {
        imageRegistry = value == null || value.isBlank() ? null : Validators.imageRegistry("imageRegistry", value);
        return this;
    }

    /** How long to wait for the CNI, the nodes and CoreDNS (default 300 s). */
    public CniOptions timeoutSeconds(long seconds) {
        timeout = Validators.timeoutSeconds("timeout", seconds);
        return this;
    }

    /** Same as {@link #timeoutSeconds(long)}, for callers (and tests) holding a Duration. */
    public CniOptions timeout(Duration value) {
        timeout = positive(value);
        return this;
    }

    /** How often an unchanged progress line is repeated (default 15 s). */
    public CniOptions heartbeat(Duration value) {
        heartbeat = positive(value);
        return this;
    }

    /**
     * The catalog release these options choose: {@link #version(String)}'s, or the catalog's default for the
     * CNI. A version the catalog does not pin is a ParameterException listing the pinned ones; callers can
     * check it before they connect to anything (applyCni checks it again before it does anything).
     */
    public Addon release(AddonCatalog catalog) {
        return cni.release(catalog, "version", version);
    }

    static Duration positive(Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("a positive duration is required");
        }
        return value;
    }
}
