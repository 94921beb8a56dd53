#!/usr/bin/env bash
# Says which Kubernetes Node this machine is, before removeNode drains and deletes that Node: the
# name kubeadm registered it under (its hostname in lowercase unless the kubelet was told another).
# Reads only; changes nothing.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'USAGE'
Usage: sudo node-name.sh

Prints the name this node has (or would have) as a Kubernetes Node: the kubelet's
--hostname-override from /var/lib/kubelet/kubeadm-flags.env when kubeadm set one, else the hostname
in lowercase, as kubeadm and the kubelet name a Node. Changes nothing.

Environment variables: none.

Prints "KUBEADM_NODE_NAME name=NAME joined=true|false" as its last line; joined is true when the
node has a kubelet kubeconfig (/etc/kubernetes/kubelet.conf), i.e. it joined or formed a cluster.
USAGE
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"
require_root

readonly KUBEADM_FLAGS=/var/lib/kubelet/kubeadm-flags.env
name=
if [[ -f $KUBEADM_FLAGS ]]; then
  name=$(grep -o -- '--hostname-override=[^" ]*' "$KUBEADM_FLAGS" | head -n 1 | cut -d= -f2 || true)
fi
[[ -n $name ]] || name=$(hostname)
name=${name,,}
[[ $name =~ ^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$ ]] || die "'$name' is not a Kubernetes Node name (lowercase letters, digits, - and .)"
joined=false
[[ -f /etc/kubernetes/kubelet.conf ]] && joined=true
log "this node is the Kubernetes Node $name"
printf 'KUBEADM_NODE_NAME name=%s joined=%s\n' "$name" "$joined"
