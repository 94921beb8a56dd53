package io.jenkins.plugins.kubeadm.core.plan;

import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import io.jenkins.plugins.kubeadm.core.cluster.Cni;
import io.jenkins.plugins.kubeadm.core.cluster.CniOptions;
import io.jenkins.plugins.kubeadm.core.cluster.GpuPluginOptions;
import io.jenkins.plugins.kubeadm.core.cluster.VerifyOptions;
import io.jenkins.plugins.kubeadm.core.cluster.WorkloadOptions;
import io.jenkins.plugins.kubeadm.core.nodes.Inventory;
import io.jenkins.plugins.kubeadm.core.params.Defaults;
import io.jenkins.plugins.kubeadm.core.params.InstallRuntimeParams;
import io.jenkins.plugins.kubeadm.core.params.KubeadmInitParams;
import io.jenkins.plugins.kubeadm.core.params.ParameterException;
import io.jenkins.plugins.kubeadm.core.params.PrepareNodeParams;
import io.jenkins.plugins.kubeadm.core.params.Validators;
import io.jenkins.plugins.kubeadm.core.phases.ClusterPhase;
import io.jenkins.plugins.kubeadm.core.phases.CniPhase;
import io.jenkins.plugins.kubeadm.core.phases.ControlPlanePhase;
import io.jenkins.plugins.kubeadm.core.phases.GpuPhase;
import io.jenkins.plugins.kubeadm.core.phases.Phase;
import io.jenkins.plugins.kubeadm.core.phases.PreparePhase;
import io.jenkins.plugins.kubeadm.core.phases.ResetPhase;
import io.jenkins.plugins.kubeadm.core.phases.RuntimePhase;
import io.jenkins.plugins.kubeadm.core.phases.VerifyPhase;
import io.jenkins.plugins.kubeadm.core.phases.WorkersPhase;
import io.jenkins.plugins.kubeadm.core.phases.WorkloadPhase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * kubeadmCluster, the whole build in one call: its parameters checked, all of them before any node
 * is touched and by the same code the steps use, then turned into one call per {@link Phase} in
 * {@link Phase#ORDER}. Each parameter reaches every step that takes it; a few are renamed where two
 * steps use one name for different things (applyCni's {@code version} is {@code cniVersion} here).
 */
public final class KubeadmClusterPlan {

    private enum Kind { TEXT, BOOLEAN, INTEGER }

    /** A kubeadmCluster parameter: its kind and, per phase, the step parameter it becomes. */
    private record Parameter(Kind kind, Map<Phase, String> stepParameters) {
    }

    private static final Map<String, Parameter> PARAMETERS = new LinkedHashMap<>();

    static {
        // The first nine, from before kubeadmCluster took every step's parameters, lead its help.
        text("cni", Phase.CNI);
        renamed("cniVersion", Kind.TEXT, Phase.CNI, "version");
        text("kubernetesVersion", Phase.RUNTIME);
        flag("reset");
        text("controlPlaneLabel");
        text("workerLabel");
        text("podNetworkCidr", Phase.CONTROL_PLANE);
        parameter("podNetworkCidr", Phase.CNI, "podCidr");
        text("joinCredentialsId", Phase.CONTROL_PLANE, Phase.WORKERS);
        text("kubeconfigCredentialsId", Phase.CNI, Phase.WORKLOAD, Phase.GPU, Phase.VERIFY);
        // Nodes over SSH instead of agents
        for (String inventory : List.of("inventory", "inventoryFile", "sshCredentialsId", "knownHostsFile", "knownHostsCredentialsId")) {
            text(inventory, Phase.ORDER.toArray(Phase[]::new));
        }
        flag("acceptAnyHostKey", Phase.ORDER.toArray(Phase[]::new));
        // prepareNode
        text("clusterHosts", Phase.PREPARE);
        text("preflightIgnore", Phase.PREPARE);
        // installRuntime
        text("pauseImage", Phase.RUNTIME);
        text("aptRepository", Phase.RUNTIME);
        text("aptKeyUrl", Phase.RUNTIME);
        text("registryMirror", Phase.RUNTIME);
        // kubeadmInit
        text("serviceCidr", Phase.CONTROL_PLANE);
        text("apiServerAdvertiseAddress", Phase.CONTROL_PLANE);
        text("controlPlaneEndpoint", Phase.CONTROL_PLANE);
        text("apiServerLoadBalancer", Phase.CONTROL_PLANE);
        text("joinTokenTtl", Phase.CONTROL_PLANE);
        flag("controlPlaneSchedulable", Phase.CONTROL_PLANE);
        text("imageRepository", Phase.CONTROL_PLANE);
        text("etcdImageTag", Phase.CONTROL_PLANE);
        text("corednsImageTag", Phase.CONTROL_PLANE);
        text("ignorePreflightErrors", Phase.CONTROL_PLANE, Phase.WORKERS);
        // applyCni
        renamed("cniIface", Kind.TEXT, Phase.CNI, "iface");
        renamed("cniManifestUrl", Kind.TEXT, Phase.CNI, "manifestUrl");
        renamed("cniSha256", Kind.TEXT, Phase.CNI, "sha256");
        renamed("cniImageRegistry", Kind.TEXT, Phase.CNI, "imageRegistry");
        // joinWorkers
        integer("discoveryTimeoutSeconds", Phase.WORKERS);
        flag("keepToken", Phase.WORKERS);
        // deployWorkload: runs when a manifest is given
        renamed("workloadManifest", Kind.TEXT, Phase.WORKLOAD, "manifest");
        renamed("workloadManifestText", Kind.TEXT, Phase.WORKLOAD, "manifestText");
        renamed("workloadNamespace", Kind.TEXT, Phase.WORKLOAD, "namespace");
        flag("rollbackOnFailure", Phase.WORKLOAD);
        text("smokeTarget", Phase.WORKLOAD);
        text("smokePath", Phase.WORKLOAD);
        // installGpuPlugin: runs when gpu is true
        flag("gpu");
        text("gpuLabel");
        renamed("gpuRuntime", Kind.TEXT, Phase.GPU, "runtime");
        text("minDriverVersion", Phase.GPU);
        renamed("gpuManifestUrl", Kind.TEXT, Phase.GPU, "manifestUrl");
        renamed("gpuImageRegistry", Kind.TEXT, Phase.GPU, "imageRegistry");
        renamed("gpuSmokeImage", Kind.TEXT, Phase.GPU, "smokeImage");
        // verifyCluster: runs when verify is true
        flag("verify");
        text("probeImage", Phase.VERIFY);
        flag("unstableOnFailure", Phase.VERIFY);
        // The GPU smoke image also makes the checks run nvidia-smi in a pod that requests a GPU.
        parameter("gpuSmokeImage", Phase.VERIFY, "gpuSmokeImage");
    }

    /** Every parameter kubeadmCluster takes, in the order its help lists them. */
    public static final List<String> ACCEPTED = List.copyOf(PARAMETERS.keySet());

    private final Map<String, Object> values;

    /** Whether a parameter is a boolean (a flag on the command line, true or false in a Jenkinsfile). */
    public static boolean isBoolean(String name) {
        Parameter p = PARAMETERS.get(name);
        return p != null && p.kind() == Kind.BOOLEAN;
    }

    /** Whether a parameter is a whole number. */
    public static boolean isInteger(String name) {
        Parameter p = PARAMETERS.get(name);
        return p != null && p.kind() == Kind.INTEGER;
    }

    private KubeadmClusterPlan(Map<String, Object> values) {
        this.values = values;
    }

    /**
     * Checks kubeadmCluster's arguments and returns its step calls, in phase order, each as
     * {@code [step: name, arguments: [...]]} of plain strings, booleans and integers (what a Pipeline
     * keeps in its program state).
     *
     * @throws ParameterException naming the first bad parameter and its accepted form
     * @throws IllegalArgumentException naming the parameters kubeadmCluster does not take
     */
    public static List<Map<String, Object>> stepCalls(Map<?, ?> arguments) {
        KubeadmClusterPlan plan = check(arguments);
        List<Map<String, Object>> calls = new ArrayList<>();
        for (Phase phase : plan.phases()) {
            Map<String, Object> call = new LinkedHashMap<>();
            call.put("step", phase.step());
            call.put("arguments", plan.arguments(phase));
            calls.add(call);
        }
        return calls;
    }

    /** kubeadmCluster's arguments checked, as {@link #stepCalls} checks them, for a runner of its own (the command line). */
    public static KubeadmClusterPlan of(Map<?, ?> arguments) {
        return check(arguments);
    }

    /** The phases this call runs: reset only when asked, the workload with a manifest, the GPU plugin with gpu: true, the checks with verify: true. */
    public List<Phase> phases() {
        List<Phase> phases = new ArrayList<>();
        for (Phase phase : Phase.ORDER) {
            boolean runs = switch (phase) {
                case RESET -> Boolean.TRUE.equals(values.get("reset"));
                case WORKLOAD -> values.containsKey("workloadManifest") || values.containsKey("workloadManifestText");
                case GPU -> Boolean.TRUE.equals(values.get("gpu"));
                case VERIFY -> Boolean.TRUE.equals(values.get("verify"));
                default -> true;
            };
            if (runs) {
                phases.add(phase);
            }
        }
        return phases;
    }

    /** The step parameters of one phase: where it runs, then every given value it takes, in the order they are declared. */
    public Map<String, Object> arguments(Phase phase) {
        Map<String, Object> args = new LinkedHashMap<>();
        if (!values.containsKey("inventory") && !values.containsKey("inventoryFile")) {
            String controlPlane = (String) values.getOrDefault("controlPlaneLabel", Defaults.CONTROL_PLANE_LABEL);
            String workers = (String) values.getOrDefault("workerLabel", Defaults.WORKER_LABEL);
            switch (phase.nodes()) {
                case EVERY_NODE -> args.put("label", controlPlane + " || " + workers);
                case CONTROL_PLANE -> args.put("label", controlPlane);
                case WORKERS -> args.put("label", workers);
                case GPU_NODES -> args.put("label", values.getOrDefault("gpuLabel", Defaults.GPU_LABEL));
                case CLUSTER_API -> { }
            }
            // The cluster steps and joinWorkers reach the control plane through its agent.
            if (phase.nodes() == Phase.Nodes.CLUSTER_API || phase == Phase.GPU || phase == Phase.WORKERS) {
                args.put("controlPlaneLabel", controlPlane);
            }
        }
        if (phase == Phase.CNI) {
            args.put("cni", values.getOrDefault("cni", Cni.DEFAULT.catalogName()));
        }
        if (phase == Phase.WORKERS) {
            // The pod network is on by now (Phase.ORDER), so a joined worker turns Ready: the build ends with every node Ready.
            args.put("waitForReady", true);
        }
        PARAMETERS.forEach((name, parameter) -> {
            String stepParameter = parameter.stepParameters().get(phase);
            if (stepParameter != null && values.containsKey(name)) {
                args.putIfAbsent(stepParameter, values.get(name));
            }
        });
        return args;
    }

    /** Every argument checked: known, of its kind, and accepted by the code of the step it goes to. */
    static KubeadmClusterPlan check(Map<?, ?> arguments) {
        TreeSet<String> unknown = new TreeSet<>();
        for (Object key : arguments.keySet()) {
            if (!PARAMETERS.containsKey(String.valueOf(key))) {
                unknown.add(String.valueOf(key));
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown parameter(s) " + String.join(", ", unknown) + " (accepted: " + String.join(", ", ACCEPTED) + ")");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : arguments.entrySet()) {
            String name = String.valueOf(e.getKey());
            Object value = typed(name, PARAMETERS.get(name).kind(), e.getValue());
            if (value != null) {
                values.put(name, value);
            }
        }
        KubeadmClusterPlan plan = new KubeadmClusterPlan(values);
        plan.checkWithTheStepsCode();
        return plan;
    }

    /** A value as its kind; null for a blank text (the step's default then applies, as with params of an empty string). */
    private static Object typed(String name, Kind kind, Object value) {
        if (value == null) {
            return null;
        }
        switch (kind) {
            case BOOLEAN -> {
                // A string such as 'false' would be true in Groovy and, for reset, wipe every node.
                if (!(value instanceof Boolean)) {
                    throw new ParameterException(name, "'" + value + "' is not a boolean", "true or false, for example params.RESET of a booleanParam");
                }
                return value;
            }
            case INTEGER -> {
                if (!(value instanceof Integer)) {
                    throw new ParameterException(name, "'" + value + "' is not a whole number", "a number such as 120, without quotes");
                }
                return value;
            }
            default -> {
                if (!(value instanceof CharSequence)) {
                    throw new ParameterException(name, "is not text", "a string");
                }
                String text = value.toString();
                return text.isBlank() ? null : text;
            }
        }
    }

    /** The values the steps would only refuse after earlier phases changed the nodes, refused now by the steps' own checks. */
    private void checkWithTheStepsCode() {
        for (String label : List.of("controlPlaneLabel", "workerLabel", "gpuLabel")) {
            if (given(label) != null && given(label).contains("\n")) {
                throw new ParameterException(label, "holds a line break", "a Jenkins label expression such as k8s-worker");
            }
        }
        for (String id : List.of("joinCredentialsId", "kubeconfigCredentialsId", "sshCredentialsId", "knownHostsCredentialsId")) {
            if (given(id) != null) {
                Validators.credentialId(id, given(id));
            }
        }
        if (given("inventory") != null) {
            Inventory.parse(given("inventory"));
        }
        PrepareNodeParams.of(PrepareNodeParams.ROLES.get(1), null, given("clusterHosts"), given("preflightIgnore"));
        runtimeParams();
        KubeadmInitParams init = initParams();
        if (given("inventory") != null) {
            init.checkControlPlaneCount((int) Inventory.parse(given("inventory")).nodes().stream()
                    .filter(e -> e.role().equals(Inventory.CONTROL_PLANE)).count(), "inventory");
        }
        CniOptions cni = new CniOptions();
        as("cni", Phase.CNI, cni::cni);
        as("cniVersion", Phase.CNI, cni::version);
        as("podNetworkCidr", Phase.CNI, cni::podCidr);
        as("cniIface", Phase.CNI, cni::iface);
        as("cniManifestUrl", Phase.CNI, cni::manifestUrl);
        as("cniSha256", Phase.CNI, cni::sha256);
        as("cniImageRegistry", Phase.CNI, cni::imageRegistry);
        try {
            cni.release(AddonCatalog.load());
        } catch (ParameterException e) {
            throw e.renamed("cniVersion");
        }
        if (values.containsKey("discoveryTimeoutSeconds")) {
            // joinWorkers' own check: 0 is its default there and here.
            WorkersPhase.discoveryTimeout((Integer) values.get("discoveryTimeoutSeconds"));
        }
        if (values.containsKey("workloadManifest") && values.containsKey("workloadManifestText")) {
            throw new ParameterException("workloadManifest", "and workloadManifestText are both given", "one of them");
        }
        WorkloadOptions workload = new WorkloadOptions();
        as("workloadManifestText", Phase.WORKLOAD, workload::manifestText);
        as("workloadNamespace", Phase.WORKLOAD, workload::namespace);
        as("smokeTarget", Phase.WORKLOAD, workload::smokeTarget);
        as("smokePath", Phase.WORKLOAD, workload::smokePath);
        GpuPluginOptions gpu = new GpuPluginOptions();
        as("gpuRuntime", Phase.GPU, gpu::runtime);
        as("gpuManifestUrl", Phase.GPU, gpu::manifestUrl);
        as("gpuImageRegistry", Phase.GPU, gpu::imageRegistry);
        as("gpuSmokeImage", Phase.GPU, gpu::smokeImage);
        if (given("minDriverVersion") != null) {
            Validators.driverVersion("minDriverVersion", given("minDriverVersion"));
        }
        as("probeImage", Phase.VERIFY, new VerifyOptions()::probeImage);
    }

    /** The phases this call runs, in {@link Phase#ORDER}, each with its parameters from this call's values. */
    public List<ClusterPhase> clusterPhases(List<Phase> phases, Duration timeout) {
        return Phase.ORDER.stream().filter(phases::contains).map(phase -> clusterPhase(phase, timeout)).toList();
    }

    private ClusterPhase clusterPhase(Phase phase, Duration timeout) {
        return switch (phase) {
            case RESET -> new ResetPhase();
            case PREPARE -> new PreparePhase(given("clusterHosts"), given("preflightIgnore"), null);
            case RUNTIME -> new RuntimePhase(runtimeParams());
            case CONTROL_PLANE -> new ControlPlanePhase(initParams());
            case CNI -> new CniPhase(new CniOptions().cni(given("cni")).version(given("cniVersion")).podCidr(given("podNetworkCidr"))
                    .iface(given("cniIface")).manifestUrl(given("cniManifestUrl")).sha256(given("cniSha256"))
                    .imageRegistry(given("cniImageRegistry")).timeout(timeout));
            // The pod network came first, so nothing else would wait for the workers to turn Ready.
            case WORKERS -> new WorkersPhase(WorkersPhase.discoveryTimeout(number("discoveryTimeoutSeconds") == null ? 0
                    : number("discoveryTimeoutSeconds")), KubeadmInitParams.preflightChecks(given("ignorePreflightErrors")), true,
                    enabled("keepToken"));
            case WORKLOAD -> new WorkloadPhase(workloadOptions().timeout(timeout));
            case GPU -> new GpuPhase(new GpuPluginOptions().runtime(given("gpuRuntime")).manifestUrl(given("gpuManifestUrl"))
                    .imageRegistry(given("gpuImageRegistry")).smokeImage(given("gpuSmokeImage")).timeout(timeout),
                    given("minDriverVersion"), given("gpuRuntime"));
            case VERIFY -> new VerifyPhase(new VerifyOptions().probeImage(given("probeImage")).gpuSmokeImage(given("gpuSmokeImage"))
                    .timeout(timeout), enabled("unstableOnFailure"));
            case REMOVE_NODES, RENEW_CERTIFICATES, UPGRADE -> throw new IllegalArgumentException("kubeadmCluster builds a cluster; " + phase.step()
                    + " is a step of its own");
        };
    }

    private WorkloadOptions workloadOptions() {
        WorkloadOptions options = new WorkloadOptions().manifestText(given("workloadManifestText")).rollbackOnFailure(enabled("rollbackOnFailure"));
        if (given("workloadNamespace") != null) {
            options.namespace(given("workloadNamespace"));
        }
        if (given("smokeTarget") != null) {
            options.smokeTarget(given("smokeTarget"));
        }
        if (given("smokePath") != null) {
            options.smokePath(given("smokePath"));
        }
        return options;
    }

    /** installRuntime's parameters from this call's values (the command-line runner runs it with them). */
    private InstallRuntimeParams runtimeParams() {
        return InstallRuntimeParams.of(given("kubernetesVersion"), given("pauseImage"), given("aptRepository"), given("aptKeyUrl"))
                .withRegistryMirror(given("registryMirror"));
    }

    /**
     * Checks, before any node is touched, that kubeadmInit can form a cluster of this many control
     * planes with this call's values (see {@link KubeadmInitParams#checkControlPlaneCount}).
     */
    public void checkControlPlaneCount(int count, String where) {
        initParams().checkControlPlaneCount(count, where);
    }

    /** kubeadmInit's parameters from this call's values; the Kubernetes version is the installed kubeadm's, as the step's default. */
    private KubeadmInitParams initParams() {
        return KubeadmInitParams.of(given("podNetworkCidr"), given("serviceCidr"), given("apiServerAdvertiseAddress"),
                        given("controlPlaneEndpoint"), null, given("joinTokenTtl"), enabled("controlPlaneSchedulable"))
                .withImageRepository(given("imageRepository")).withImageTags(given("etcdImageTag"), given("corednsImageTag"))
                .withIgnorePreflightErrors(given("ignorePreflightErrors")).withApiServerLoadBalancer(given("apiServerLoadBalancer"));
    }

    /** Runs a step's own check of its parameter, its refusal named as kubeadmCluster's parameter. */
    private void as(String name, Phase phase, Consumer<String> stepCheck) {
        String value = given(name);
        if (value == null) {
            return;
        }
        try {
            stepCheck.accept(value);
        } catch (ParameterException e) {
            throw e.parameter().equals(PARAMETERS.get(name).stepParameters().get(phase)) ? e.renamed(name) : e;
        }
    }

    /** A text parameter as given; null when it was not (its step's default then applies). */
    String given(String name) {
        Object value = values.get(name);
        return value instanceof String s ? s : null;
    }

    /** A boolean parameter; false when not given. */
    boolean enabled(String name) {
        return Boolean.TRUE.equals(values.get(name));
    }

    /** An integer parameter; null when not given. */
    Integer number(String name) {
        return (Integer) values.get(name);
    }

    private static void text(String name, Phase... phases) {
        declare(name, Kind.TEXT, phases);
    }

    private static void flag(String name, Phase... phases) {
        declare(name, Kind.BOOLEAN, phases);
    }

    private static void integer(String name, Phase... phases) {
        declare(name, Kind.INTEGER, phases);
    }

    private static void declare(String name, Kind kind, Phase... phases) {
        Map<Phase, String> targets = new LinkedHashMap<>();
        for (Phase phase : phases) {
            targets.put(phase, name);
        }
        PARAMETERS.put(name, new Parameter(kind, targets));
    }

    private static void renamed(String name, Kind kind, Phase phase, String stepParameter) {
        PARAMETERS.put(name, new Parameter(kind, new LinkedHashMap<>(Map.of(phase, stepParameter))));
    }

    /** One more step parameter for a parameter already declared (podNetworkCidr is applyCni's podCidr too). */
    private static void parameter(String name, Phase phase, String stepParameter) {
        PARAMETERS.get(name).stepParameters().put(phase, stepParameter);
    }
}
