#!/usr/bin/env bash
# upgradeCluster on one node, one stage at a time, as kubeadm's upgrade guide has a person do it:
# kubeadm first (plan; upgrade apply on the first control plane, upgrade node on every other node),
# then, once the node is drained, kubelet and kubectl, and the kubelet restarted. Draining and
# uncordoning are the API server's part (core's upgrade phase does them between the stages).
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<USAGE
Usage: sudo env KUBERNETES_VERSION=1.27.3 UPGRADE_STAGE=apply upgrade-node.sh

Moves this node to an exact Kubernetes release, one stage per run. Each stage first points apt at
the release's minor repository and moves kubeadm to it (held again).

Stages (UPGRADE_STAGE):
  plan     on a control plane: prints \`kubeadm upgrade plan\` for the release; the cluster is not
           changed
  apply    on the first control plane: \`kubeadm upgrade apply\` (control-plane static pods, cluster
           configuration, add-ons, renewed certificates); kubeadm itself skips what already runs
           the release
  node     on every other node: \`kubeadm upgrade node\` (a control plane's static pods, the
           kubelet's configuration); skipped when the node's kubelet package has the release
  kubelet  on a drained node: kubelet and kubectl moved to the release (held again), the kubelet
           restarted and awaited healthy
Idempotent: a stage already done changes nothing (apply renews the certificates again).

Environment variables:
  KUBERNETES_VERSION       the exact release, e.g. 1.27.3 (required)
  UPGRADE_STAGE            plan, apply, node or kubelet (required)
  KUBERNETES_APT_REPO      apt repository (default: https://pkgs.k8s.io/core:/stable:/v<minor>/deb/)
  KUBERNETES_APT_KEY_URL   its signing key (default: <repo>Release.key)
  IGNORE_PREFLIGHT_ERRORS  comma-separated kubeadm upgrade preflight checks to ignore (default: none)

Prints "KUBEADM_UPGRADE_RESULT stage=STAGE state=upgraded|unchanged|planned kubelet=VERSION
control_plane=VERSION|none" as its last line: the node's kubelet and API server releases afterwards.
USAGE
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"

[[ -n ${KUBERNETES_VERSION:-} ]] || die "KUBERNETES_VERSION is required (accepted: an exact release such as 1.27.3)"
kubernetes_repository_settings
[[ -n $kubernetes_exact ]] || die "KUBERNETES_VERSION: '$KUBERNETES_VERSION' is a minor; an upgrade needs an exact release (accepted: e.g. $kubernetes_minor.3)"
UPGRADE_STAGE=${UPGRADE_STAGE:-}
case $UPGRADE_STAGE in
  plan | apply | node | kubelet) ;;
  *) die "UPGRADE_STAGE: '$UPGRADE_STAGE' is not a stage (accepted: plan, apply, node or kubelet)" ;;
esac
IGNORE_PREFLIGHT_ERRORS=${IGNORE_PREFLIGHT_ERRORS:-}
check_ignore_preflight_errors
readonly APISERVER_MANIFEST=/etc/kubernetes/manifests/kube-apiserver.yaml
readonly KUBELET_CONF=/etc/kubernetes/kubelet.conf
readonly RELEASE=v$kubernetes_exact

require_root
take_node_lock
[[ -f $KUBELET_CONF ]] || die "this node is not part of a cluster ($KUBELET_CONF is missing): upgradeCluster upgrades joined nodes"
control_plane=0
[[ -f $APISERVER_MANIFEST ]] && control_plane=1
if [[ $UPGRADE_STAGE == plan || $UPGRADE_STAGE == apply ]] && ((!control_plane)); then
  die "UPGRADE_STAGE=$UPGRADE_STAGE runs on a control plane, and this node is none ($APISERVER_MANIFEST is missing)"
fi

# The release this node's API server runs, from its static pod's image tag; "none" on a worker.
control_plane_release() {
  if ((!control_plane)); then echo none; return; fi
  grep -oE 'image: *[^ ]*/kube-apiserver:v[0-9][^ "]*' "$APISERVER_MANIFEST" | head -n 1 | sed 's/.*://' || true
}

ignore_flag=()
[[ -z $IGNORE_PREFLIGHT_ERRORS ]] || ignore_flag=(--ignore-preflight-errors="$IGNORE_PREFLIGHT_ERRORS")

kubernetes_repository
kubernetes_package_version
target=$kubernetes_package
state=unchanged
if [[ $UPGRADE_STAGE != kubelet ]]; then
  log "kubeadm $target"
  install_kubernetes_packages "$target" kubeadm
fi

case $UPGRADE_STAGE in
  plan)
    log "kubeadm upgrade plan $RELEASE"
    kubeadm upgrade plan "$RELEASE" "${ignore_flag[@]}" || die "kubeadm upgrade plan $RELEASE failed (see above)"
    state=planned
    ;;
  apply)
    # Also when this control plane already runs the release: kubeadm skips the static pods that are
    # up to date and applies the rest again (configuration, add-ons), which a run stopped part-way needs.
    log "kubeadm upgrade apply $RELEASE"
    kubeadm upgrade apply --yes "$RELEASE" "${ignore_flag[@]}" || die "kubeadm upgrade apply $RELEASE failed (see above)"
    state=upgraded
    ;;
  node)
    if ((control_plane)) && [[ $(control_plane_release) == "$RELEASE" ]]; then
      log "kubeadm upgrade node: this control plane already runs $RELEASE"
    elif ((!control_plane)) && [[ $(installed_version kubelet) == "$target" ]]; then
      log "kubeadm upgrade node: this node's kubelet already has $target"
    else
      log "kubeadm upgrade node"
      kubeadm upgrade node "${ignore_flag[@]}" || die "kubeadm upgrade node failed (see above)"
      state=upgraded
    fi
    ;;
  kubelet)
    log "kubelet, kubectl $target"
    if [[ $(installed_version kubelet) == "$target" && $(installed_version kubectl) == "$target" ]] && systemctl is-active --quiet kubelet; then
      note "already installed and running"
    else
      install_kubernetes_packages "$target" kubelet kubectl
      systemctl daemon-reload
      systemctl restart kubelet
      state=upgraded
    fi
    ok=0
    for _ in $(seq 1 60); do
      if curl -fsS --max-time 2 http://127.0.0.1:10248/healthz >/dev/null 2>&1; then ok=1; break; fi
      sleep 1
    done
    ((ok)) || { print_node_diagnostics; die "the kubelet did not turn healthy within 60 s after its restart (see the journal above)"; }
    note "kubelet healthy"
    ;;
esac

kubelet_release=$(kubelet --version 2>/dev/null | awk '{print $2}')
printf 'KUBEADM_UPGRADE_RESULT stage=%s state=%s kubelet=%s control_plane=%s\n' "$UPGRADE_STAGE" "$state" "${kubelet_release:-none}" \
  "$(control_plane_release)"
