/**
 * Keeping the join secret out of every log.
 *
 * <p>A run creates one {@link io.jenkins.plugins.kubeadm.core.secrets.SecretRedactor}, registers the
 * secrets as soon as they exist (best: generated up front with
 * {@link io.jenkins.plugins.kubeadm.core.secrets.JoinSecrets}, then
 * {@code redactor.addAll(joinCommand.secrets())} and {@code redactor.addKubeconfig(adminConf)}), and
 * wraps every byte stream that ends in a file or console with {@code redactor.wrap(...)} before it is
 * cut into lines. {@link io.jenkins.plugins.kubeadm.core.secrets.RedactingLineSink} masks whole lines
 * on top of that.
 */
package io.jenkins.plugins.kubeadm.core.secrets;
