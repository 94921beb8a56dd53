package io.jenkins.plugins.kubeadm.core.params;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parameters of kubeadmInit (resources/kubeadm/scripts/kubeadm-init.sh). {@link #of} validates them
 * before any node is touched; {@link #environment()} is what the script receives. Unset optional
 * values keep the script's defaults: the advertise address of the default route, no separate
 * control-plane endpoint, the installed kubeadm's version.
 */
public record KubeadmInitParams(Cidr podNetworkCidr, Cidr serviceCidr, String apiServerAdvertiseAddress,
                                String controlPlaneEndpoint, KubernetesVersion kubernetesVersion, String joinTokenTtl,
                                boolean controlPlaneSchedulable, String imageRepository, String etcdImageTag,
                                String corednsImageTag, List<String> ignorePreflightErrors, boolean localLoadBalancer) {

    private static final Pattern PREFLIGHT_CHECK = Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,62}");

    public static final String DEFAULT_POD_NETWORK_CIDR = Defaults.POD_NETWORK_CIDR;
    public static final String DEFAULT_SERVICE_CIDR = Defaults.SERVICE_CIDR;
    public static final String DEFAULT_JOIN_TOKEN_TTL = "30m";

    private static final Pattern DURATION = Pattern.compile("(?:(\\d{1,5})h)?(?:(\\d{1,5})m)?(?:(\\d{1,7})s)?");
    private static final int MIN_TTL_SECONDS = 60;
    private static final int MAX_TTL_SECONDS = 24 * 3600;

    /** apiServerLoadBalancer's choices: none, or haproxy on every node (api-load-balancer.sh). */
    public static final List<String> LOAD_BALANCERS = List.of("none", "haproxy");
    /** The endpoint every node reaches the API servers at with apiServerLoadBalancer haproxy: its own loopback. */
    public static final String LOCAL_LOAD_BALANCER_ENDPOINT = "127.0.0.1:" + Defaults.LOCAL_API_LOAD_BALANCER_PORT;

    /** Every parameter at its default. */
    public static KubeadmInitParams defaults() {
        return of(null, null, null, null, null, null, false);
    }

    /**
     * @param podNetworkCidr            pod network; default 10.244.0.0/16
     * @param serviceCidr               service network, must not overlap the pod network; default 10.96.0.0/12
     * @param apiServerAdvertiseAddress optional IPv4 address of the control-plane node (multi-NIC labs)
     * @param controlPlaneEndpoint      optional stable HOST[:PORT] for the API server
     * @param kubernetesVersion         optional 1.31 or 1.31.2; default: the installed kubeadm's version
     * @param joinTokenTtl              lifetime of the join token, 1m to 24h such as 30m or 1h30m; default 30m
     * @param controlPlaneSchedulable   true removes the control-plane taint
     */
    public static KubeadmInitParams of(String podNetworkCidr, String serviceCidr, String apiServerAdvertiseAddress,
                                       String controlPlaneEndpoint, String kubernetesVersion, String joinTokenTtl,
                                       boolean controlPlaneSchedulable) {
        Cidr pods = Validators.cidr("podNetworkCidr", blank(podNetworkCidr) ? DEFAULT_POD_NETWORK_CIDR : podNetworkCidr);
        Cidr services = Validators.cidr("serviceCidr", blank(serviceCidr) ? DEFAULT_SERVICE_CIDR : serviceCidr);
        if (pods.overlaps(services)) {
            throw new ParameterException("serviceCidr", services + " overlaps podNetworkCidr " + pods,
                    "two CIDRs that share no address, e.g. the defaults " + DEFAULT_POD_NETWORK_CIDR + " and " + DEFAULT_SERVICE_CIDR);
        }
        String address = blank(apiServerAdvertiseAddress) ? null : Validators.ipv4("apiServerAdvertiseAddress", apiServerAdvertiseAddress);
        String endpoint = blank(controlPlaneEndpoint) ? null : endpoint(controlPlaneEndpoint);
        KubernetesVersion version = blank(kubernetesVersion) ? null : Validators.kubernetesVersion("kubernetesVersion", kubernetesVersion);
        String ttl = blank(joinTokenTtl) ? DEFAULT_JOIN_TOKEN_TTL : joinTokenTtl.trim();
        long seconds = durationSeconds(ttl);
        if (seconds < MIN_TTL_SECONDS || seconds > MAX_TTL_SECONDS) {
            throw new ParameterException("joinTokenTtl", "'" + joinTokenTtl + "' is not a duration from 1m to 24h",
                    "hours, minutes and seconds such as 30m, 1h30m or 90s; a join token is short-lived by design");
        }
        return new KubeadmInitParams(pods, services, address, endpoint, version, ttl, controlPlaneSchedulable, null, null, null, List.of(), false);
    }

    /**
     * The registry (and path) kubeadm pulls the control-plane, etcd, CoreDNS, kube-proxy and pause
     * images from (kubeadm's {@code imageRepository}; air-gapped sites), e.g. {@code 10.0.0.5:5000}
     * or {@code mirror.lab.example/k8s}; blank for kubeadm's default registry.k8s.io.
     */
    public KubeadmInitParams withImageRepository(String repository) {
        String repo = blank(repository) ? null : Validators.imageRegistry("imageRepository", repository);
        return new KubeadmInitParams(podNetworkCidr, serviceCidr, apiServerAdvertiseAddress, controlPlaneEndpoint, kubernetesVersion,
                joinTokenTtl, controlPlaneSchedulable, repo, etcdImageTag, corednsImageTag, ignorePreflightErrors, localLoadBalancer);
    }

    /** Tags of the etcd and CoreDNS images when a mirror holds others than kubeadm pins; blank for kubeadm's. */
    public KubeadmInitParams withImageTags(String etcdTag, String corednsTag) {
        return new KubeadmInitParams(podNetworkCidr, serviceCidr, apiServerAdvertiseAddress, controlPlaneEndpoint, kubernetesVersion,
                joinTokenTtl, controlPlaneSchedulable, imageRepository, tag("etcdImageTag", etcdTag), tag("corednsImageTag", corednsTag),
                ignorePreflightErrors, localLoadBalancer);
    }

    /**
     * apiServerLoadBalancer: {@code haproxy} runs haproxy on every node, forwarding its loopback port
     * to every control plane, and makes that the cluster's controlPlaneEndpoint (several control
     * planes with no load balancer of the user's); {@code none} or blank keeps controlPlaneEndpoint.
     */
    public KubeadmInitParams withApiServerLoadBalancer(String choice) {
        String value = blank(choice) ? "none" : choice.trim();
        if (!LOAD_BALANCERS.contains(value)) {
            throw new ParameterException("apiServerLoadBalancer", "'" + choice + "' is not a load balancer choice",
                    String.join(" | ", LOAD_BALANCERS) + " (haproxy: one on every node, from the OS packages)");
        }
        boolean local = value.equals("haproxy");
        if (local && controlPlaneEndpoint != null && !controlPlaneEndpoint.equals(LOCAL_LOAD_BALANCER_ENDPOINT)) {
            throw new ParameterException("apiServerLoadBalancer", "haproxy makes the endpoint " + LOCAL_LOAD_BALANCER_ENDPOINT
                    + " on every node, and controlPlaneEndpoint names " + controlPlaneEndpoint,
                    "haproxy with controlPlaneEndpoint left empty, or none with your load balancer as controlPlaneEndpoint");
        }
        return new KubeadmInitParams(podNetworkCidr, serviceCidr, apiServerAdvertiseAddress,
                local ? LOCAL_LOAD_BALANCER_ENDPOINT : controlPlaneEndpoint, kubernetesVersion, joinTokenTtl, controlPlaneSchedulable,
                imageRepository, etcdImageTag, corednsImageTag, ignorePreflightErrors, local);
    }

    /**
     * Checks, before any node is touched, that a cluster of this many control planes can be built with
     * these parameters: one, or an odd number (etcd keeps a majority when one fails) behind a stable
     * endpoint.
     *
     * @param where the parameter that chose the control planes (inventory, or a step's label)
     */
    public void checkControlPlaneCount(int count, String where) {
        if (count < 1 || count % 2 == 0) {
            throw new ParameterException(where, "names " + count + " control planes",
                    "one control plane, or an odd number such as 3 or 5: etcd needs a majority of them to keep the cluster running");
        }
        if (count > 1 && controlPlaneEndpoint == null) {
            throw new ParameterException("controlPlaneEndpoint", "is empty, and " + where + " names " + count
                    + " control planes, which every node must reach at one stable address",
                    "your load balancer's HOST[:PORT] as controlPlaneEndpoint, or apiServerLoadBalancer: 'haproxy'");
        }
    }

    /**
     * kubeadm preflight checks to report as warnings, by name (comma list such as {@code Swap,NumCPU},
     * or {@code all}); used by init and by the workers' join.
     */
    public KubeadmInitParams withIgnorePreflightErrors(String checks) {
        return new KubeadmInitParams(podNetworkCidr, serviceCidr, apiServerAdvertiseAddress, controlPlaneEndpoint, kubernetesVersion,
                joinTokenTtl, controlPlaneSchedulable, imageRepository, etcdImageTag, corednsImageTag, preflightChecks(checks), localLoadBalancer);
    }

    /** Validates a comma list of kubeadm preflight check names. */
    public static List<String> preflightChecks(String checks) {
        if (blank(checks)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String part : checks.split(",")) {
            String name = part.trim();
            if (!PREFLIGHT_CHECK.matcher(name).matches()) {
                throw new ParameterException("ignorePreflightErrors", "'" + name + "' is not a kubeadm preflight check name",
                        "a comma list of check names such as Swap,NumCPU, or all");
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return List.copyOf(names);
    }

    private static String tag(String parameter, String value) {
        return blank(value) ? null : Validators.imageTag(parameter, value);
    }

    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("POD_NETWORK_CIDR", podNetworkCidr.toString());
        env.put("SERVICE_CIDR", serviceCidr.toString());
        if (apiServerAdvertiseAddress != null) {
            env.put("APISERVER_ADVERTISE_ADDRESS", apiServerAdvertiseAddress);
        }
        if (controlPlaneEndpoint != null) {
            env.put("CONTROL_PLANE_ENDPOINT", controlPlaneEndpoint);
        }
        if (kubernetesVersion != null) {
            env.put("KUBERNETES_VERSION", kubernetesVersion.toString());
        }
        env.put("JOIN_TOKEN_TTL", joinTokenTtl);
        env.put("CONTROL_PLANE_SCHEDULABLE", Boolean.toString(controlPlaneSchedulable));
        if (imageRepository != null) {
            env.put("IMAGE_REPOSITORY", imageRepository);
        }
        if (etcdImageTag != null) {
            env.put("ETCD_IMAGE_TAG", etcdImageTag);
        }
        if (corednsImageTag != null) {
            env.put("COREDNS_IMAGE_TAG", corednsImageTag);
        }
        if (!ignorePreflightErrors.isEmpty()) {
            env.put("IGNORE_PREFLIGHT_ERRORS", String.join(",", ignorePreflightErrors));
        }
        return env;
    }

    /** HOST[:PORT] with an IPv4 address or DNS name; lower-cased. */
    private static String endpoint(String value) {
        String form = "HOST[:PORT] with an IPv4 address or DNS name and an optional port 1-65535, e.g. cp.lab.example:6443";
        String v = value.trim().toLowerCase(Locale.ROOT);
        int colon = v.lastIndexOf(':');
        String host = colon < 0 ? v : v.substring(0, colon);
        try {
            if (host.matches("[0-9.]+")) {
                Validators.ipv4("controlPlaneEndpoint", host);
            } else {
                Validators.hostname("controlPlaneEndpoint", host);
            }
            if (colon >= 0) {
                Validators.port("controlPlaneEndpoint", v.substring(colon + 1));
            }
        } catch (ParameterException e) {
            throw new ParameterException("controlPlaneEndpoint", "'" + value + "' is not HOST[:PORT]", form);
        }
        return v;
    }

    private static long durationSeconds(String value) {
        Matcher m = DURATION.matcher(value);
        if (value.isEmpty() || !m.matches()) {
            throw new ParameterException("joinTokenTtl", "'" + value + "' is not a duration",
                    "hours, minutes and seconds such as 30m, 1h30m or 90s");
        }
        return parts(m.group(1)) * 3600 + parts(m.group(2)) * 60 + parts(m.group(3));
    }

    private static long parts(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
