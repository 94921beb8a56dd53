/**
 * Per-node, per-step log files ({@code kubeadm-logs/<node>/<NN>-<step>.log}), written through the
 * run's {@link io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor}, and the
 * {@link io.jenkins.plugins.kubeadm.core.exec.LineSink} that fills them and tees to the console.
 */
package io.jenkins.plugins.kubeadm.core.logs;
