package io.jenkins.plugins.kubeadm.core.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.kubeadm.core.addons.AddonCatalog;
import io.jenkins.plugins.kubeadm.core.exec.LineSink;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The steps that talk to the cluster's API rather than to a node: applyCni, deployWorkload,
 * installGpuPlugin, verifyCluster, removeNode's drain and upgradeCluster's. Progress goes, one line at a time, to the given consumer (never to stdout);
 * failures are {@link ClusterStepException}s (waits: {@link WaitTimeoutException}), bad parameters
 * {@link io.jenkins.plugins.kubeadm.core.params.ParameterException}s and unusable manifests
 * {@link io.jenkins.plugins.kubeadm.core.addons.ManifestException}s.
 */
public final class ClusterSteps implements AutoCloseable {

    private final KubernetesClient client;
    private final AddonCatalog catalog;
    private final Consumer<String> progress;

    private ClusterSteps(KubernetesClient client, AddonCatalog catalog, Consumer<String> progress) {
        this.client = Objects.requireNonNull(client, "client");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** Connects with a kubeconfig file or content, using the catalog shipped in this library. */
    public static ClusterSteps connect(Kubeconfig kubeconfig, Consumer<String> progress) {
        return new ClusterSteps(kubeconfig.connect(), AddonCatalog.load(), progress);
    }

    /** Uses an existing client (closed by {@link #close()}) and catalog. */
    public static ClusterSteps using(KubernetesClient client, AddonCatalog catalog, Consumer<String> progress) {
        return new ClusterSteps(client, catalog, progress);
    }

    /** Progress lines as the node steps report theirs: stdout lines of the pseudo-node {@code source} (e.g. "cluster"). */
    public static Consumer<String> progressTo(LineSink sink, String source) {
        Objects.requireNonNull(sink, "sink");
        return line -> sink.line(source, LineSink.Stream.STDOUT, line);
    }

    public CniResult applyCni(CniOptions options) {
        return new CniInstaller(client, catalog, progress).apply(options);
    }

    public DeployResult deployWorkload(WorkloadOptions options) {
        return new WorkloadDeployer(client, progress).deploy(options);
    }

    public GpuPluginResult installGpuPlugin(GpuPluginOptions options) {
        return new GpuPluginInstaller(client, catalog, progress).install(options);
    }

    public VerifyReport verifyCluster(VerifyOptions options) {
        return new ClusterVerifier(client, progress).verify(options);
    }

    /** removeNode's part on the API server: dry run, then cordon, drain and delete each Node ({@link NodeRemoval}). */
    public RemovalResult removeNodes(RemoveNodeOptions options) {
        return new NodeRemoval(client, progress).remove(options);
    }

    /**
     * upgradeCluster's part on the API server ({@link NodeUpgrades}).
     *
     * @param drainTimeout how long each node's pods may take to leave it
     * @param readyTimeout how long a node may take to turn Ready at the new release after its kubelet restarted
     */
    public UpgradeApi upgradeApi(Duration drainTimeout, Duration readyTimeout) {
        return new NodeUpgrades(client, progress, drainTimeout, readyTimeout);
    }

    @Override
    public void close() {
        client.close();
    }
}
