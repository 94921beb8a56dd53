#!/usr/bin/env bash
# installRuntime: containerd from the OS packages, configured for kubeadm (systemd cgroup driver,
# the sandbox image this Kubernetes minor expects), then kubelet, kubeadm and kubectl from the
# Kubernetes apt repository, pinned and held.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<USAGE
Usage: sudo env VAR=value ... install-runtime.sh

Installs and configures containerd and kubelet/kubeadm/kubectl. Idempotent: a second run changes
nothing and does not restart containerd.

Environment variables:
  KUBERNETES_VERSION      a minor (1.31) or an exact release (1.31.2); supported minors:
                          $SUPPORTED_KUBERNETES_MINORS (default: $DEFAULT_KUBERNETES_MINOR)
                          A minor is satisfied by any installed patch release of it.
  PAUSE_IMAGE             sandbox image for containerd (default: the one kubeadm of that minor
                          uses, as lib/defaults.env lists them)
  KUBERNETES_APT_REPO     apt repository (default: https://pkgs.k8s.io/core:/stable:/v<minor>/deb/)
  KUBERNETES_APT_KEY_URL  its signing key, re-fetched every run (default: <repo>Release.key)
  REGISTRY_MIRROR         optional http:// or https:// URL of a registry mirror (air-gapped sites):
                          containerd pulls docker.io, registry.k8s.io, quay.io and ghcr.io images
                          from it first, and images named after the mirror's own HOST:PORT (kubeadm's
                          imageRepository) from it, over plain HTTP when the URL says http://
                          (default: none; hosts files are written to $CERTS_DIR)

On a node that is a container (LXC/LXD, Proxmox, systemd-nspawn: systemd-detect-virt --container),
containerd gets restrict_oom_score_adj = true: a container cannot lower OOM scores.
USAGE
}

readonly CERTS_DIR=/etc/containerd/certs.d
if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"

KUBERNETES_VERSION=${KUBERNETES_VERSION:-$DEFAULT_KUBERNETES_MINOR}
kubernetes_repository_settings
minor=$kubernetes_minor
warn_if_end_of_life "$minor"

PAUSE_IMAGE=${PAUSE_IMAGE:-$(default_pause_image "$minor")}
[[ $PAUSE_IMAGE =~ ^[a-z0-9]([a-z0-9._-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$ ]] ||
  die "PAUSE_IMAGE: '$PAUSE_IMAGE' is not an image reference (accepted: e.g. registry.k8s.io/pause:3.10 or myregistry:5000/pause:3.10)"

REGISTRY_MIRROR=${REGISTRY_MIRROR:-}
mirror_host=''
if [[ -n $REGISTRY_MIRROR ]]; then
  [[ $REGISTRY_MIRROR =~ ^(https?)://([a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?)/?$ ]] ||
    die "REGISTRY_MIRROR: '$REGISTRY_MIRROR' is not a registry URL (accepted: http:// or https:// HOST[:PORT] without a path, e.g. http://10.0.0.5:5000 or https://mirror.lab.example)"
  mirror_host=${BASH_REMATCH[2]}
  REGISTRY_MIRROR="${BASH_REMATCH[1]}://$mirror_host"
fi
readonly MIRRORED_REGISTRIES='docker.io registry.k8s.io quay.io ghcr.io'

require_root
take_node_lock
require_supported_os
in_container=0
if systemd-detect-virt --container --quiet 2>/dev/null; then in_container=1; fi

readonly CONTAINERD_CONFIG=/etc/containerd/config.toml
export DEBIAN_FRONTEND=noninteractive
apt_install() { apt-get install -y -q --no-install-recommends "$@"; }

# ---- OS packages --------------------------------------------------------------------------------
log "OS packages: containerd, curl, gpg, ca-certificates"
missing=()
for pkg in containerd curl gpg ca-certificates; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  note "installing ${missing[*]}"
  apt-get update -q
  apt_install "${missing[@]}"
else
  note "already installed"
fi

# ---- containerd ---------------------------------------------------------------------------------
log "containerd: SystemdCgroup = true, sandbox image $PAUSE_IMAGE${REGISTRY_MIRROR:+, mirror $REGISTRY_MIRROR}"
tmp=$(mktemp)
containerd config default >"$tmp"
# containerd 1.x (config version 2) names the key sandbox_image; 2.x (version 3) names it sandbox.
# config_path: registry hosts files (the mirror) live in $CERTS_DIR.
sed -i -E \
  -e 's/^([[:space:]]*)SystemdCgroup = false/\1SystemdCgroup = true/' \
  -e "s#^([[:space:]]*)sandbox_image = .*#\\1sandbox_image = \"$PAUSE_IMAGE\"#" \
  -e "s#^([[:space:]]*)sandbox = .*#\\1sandbox = '$PAUSE_IMAGE'#" \
  -e "s#^([[:space:]]*)config_path = ('')?(\"\")?\$#\\1config_path = \"$CERTS_DIR\"#" "$tmp"
if ((in_container)); then
  # A container lacks CAP_SYS_RESOURCE on the host: runc fails to set a lower OOM score otherwise.
  sed -i -E 's/^([[:space:]]*)restrict_oom_score_adj = false/\1restrict_oom_score_adj = true/' "$tmp"
  grep -qE '^[[:space:]]*restrict_oom_score_adj = true' "$tmp" ||
    die "could not set restrict_oom_score_adj = true: 'containerd config default' has no such option"
  note "container node: restrict_oom_score_adj = true"
fi
if [[ -n $REGISTRY_MIRROR ]]; then
  grep -qF "config_path = \"$CERTS_DIR\"" "$tmp" ||
    die "could not set the registry config_path: 'containerd config default' has no registry config_path option"
fi
grep -qE '^[[:space:]]*SystemdCgroup = true' "$tmp" ||
  die "could not set SystemdCgroup = true: 'containerd config default' has no runc SystemdCgroup option"
grep -qF "$PAUSE_IMAGE" "$tmp" ||
  die "could not set the sandbox image: 'containerd config default' has no sandbox_image/sandbox option"
# A GPU node's nvidia runtime (added by gpu-node.sh) belongs to the wanted config: re-adding it here
# keeps a re-run of this step from dropping it and restarting containerd.
if [[ -f $CONTAINERD_CONFIG ]] && grep -q 'runtimes\.nvidia\]' "$CONTAINERD_CONFIG" && command -v nvidia-ctk >/dev/null 2>&1; then
  nvidia_args=(runtime configure --runtime=containerd "--config=$tmp")
  if grep -Eq '^[[:space:]]*default_runtime_name[[:space:]]*=[[:space:]]*"nvidia"' "$CONTAINERD_CONFIG"; then
    nvidia_args+=(--set-as-default)
  fi
  nvidia-ctk "${nvidia_args[@]}" >/dev/null || die "nvidia-ctk could not keep the nvidia runtime in the containerd config"
  note "keeping the nvidia runtime (GPU node)"
fi
if [[ -f $CONTAINERD_CONFIG && ! -f $CONTAINERD_CONFIG.before-kubeadm-pipeline ]] && ! cmp -s "$tmp" "$CONTAINERD_CONFIG"; then
  cp -p "$CONTAINERD_CONFIG" "$CONTAINERD_CONFIG.before-kubeadm-pipeline"
  note "kept the previous config as $CONTAINERD_CONFIG.before-kubeadm-pipeline"
fi
containerd_changed=0
if install_if_changed "$CONTAINERD_CONFIG" "$tmp" 0644; then containerd_changed=1; fi
# Registry hosts files: read by containerd on every pull, so they need no restart.
hosts_toml() { # registry: the hosts.toml that sends its pulls to the mirror first
  local upstream="https://$1"
  [[ $1 == docker.io ]] && upstream=https://registry-1.docker.io
  [[ $1 == "$mirror_host" ]] && upstream=$REGISTRY_MIRROR
  printf '# Written by kubeadm-pipeline installRuntime (REGISTRY_MIRROR)\nserver = "%s"\n\n[host."%s"]\n  capabilities = ["pull", "resolve"]\n' \
    "$upstream" "$REGISTRY_MIRROR"
}
if [[ -n $REGISTRY_MIRROR ]]; then
  for registry in $MIRRORED_REGISTRIES "$mirror_host"; do
    hosts_tmp=$(mktemp)
    hosts_toml "$registry" >"$hosts_tmp"
    if install_if_changed "$CERTS_DIR/$registry/hosts.toml" "$hosts_tmp" 0644; then note "mirror for $registry: $CERTS_DIR/$registry/hosts.toml"; fi
  done
fi
# Hosts files of an earlier mirror that is no longer wanted (only ours, recognised by their first line).
for hosts_file in "$CERTS_DIR"/*/hosts.toml; do
  [[ -f $hosts_file ]] || continue
  registry=${hosts_file%/hosts.toml}
  registry=${registry##*/} # the folder's name, without forking basename and dirname on every run
  [[ -n $REGISTRY_MIRROR && " $MIRRORED_REGISTRIES $mirror_host " == *" $registry "* ]] && continue
  if head -n 1 "$hosts_file" | grep -q 'kubeadm-pipeline installRuntime'; then
    rm -f "$hosts_file"
    rmdir "$(dirname "$hosts_file")" 2>/dev/null || true
    note "removed the mirror for $registry"
  fi
done
if ((containerd_changed)); then
  note "config written, restarting containerd"
  systemctl restart containerd
else
  note "config unchanged"
fi
if [[ $(systemctl is-enabled containerd 2>/dev/null || true) != enabled ]]; then
  systemctl enable --quiet containerd
fi
systemctl is-active --quiet containerd || systemctl start containerd
containerd_answers=0
for _ in $(seq 1 30); do
  if ctr --address /run/containerd/containerd.sock version >/dev/null 2>&1; then containerd_answers=1; break; fi
  sleep 1
done
((containerd_answers)) ||
  die "containerd does not answer on /run/containerd/containerd.sock (systemctl status containerd: $(systemctl is-active containerd 2>&1))"
# Read once: printed here and with the installed versions at the end.
containerd_version=$(containerd --version | awk '{print $3}')
note "containerd $containerd_version is active and answers on its socket"

# ---- Kubernetes apt repository ------------------------------------------------------------------
kubernetes_repository

# ---- kubelet, kubeadm, kubectl ------------------------------------------------------------------
kubernetes_package_version
target=$kubernetes_package
log "kubelet, kubeadm, kubectl $target"
install_kubernetes_packages "$target" kubelet kubeadm kubectl
note "held: kubelet kubeadm kubectl"
if [[ $(systemctl is-enabled kubelet 2>/dev/null || true) != enabled ]]; then
  systemctl enable --quiet kubelet
fi

log "installed versions"
# Three large binaries that each take a moment to start: asked side by side, printed in order.
versions=$(mktemp -d)
kubeadm version -o short >"$versions/kubeadm" &
kubelet --version | awk '{print $2}' >"$versions/kubelet" &
kubectl version --client 2>/dev/null | awk '/Client Version/ {print $3}' >"$versions/kubectl" &
wait
note "kubeadm $(cat "$versions/kubeadm")"
note "kubelet $(cat "$versions/kubelet")"
note "kubectl $(cat "$versions/kubectl")"
note "containerd $containerd_version"
rm -rf "$versions"
