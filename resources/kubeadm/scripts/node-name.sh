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

Prints "KUBEADM_NODE_NAME name=NAME joined=true|false control_plane=true|false address=IPV4" as
its last line. joined is true when the node has a kubelet kubeconfig (/etc/kubernetes/kubelet.conf),
i.e. it joined or formed a cluster; control_plane when it runs a control plane's API server; address
is the address that API server advertises, else the address of the default route's interface (the
one kubeadm would advertise), empty when there is none.
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
control_plane=false
address=
readonly APISERVER_MANIFEST=/etc/kubernetes/manifests/kube-apiserver.yaml
if [[ -f $APISERVER_MANIFEST ]]; then
  control_plane=true
  address=$(sed -nE 's/^[[:space:]]*- --advertise-address=([0-9.]+)$/\1/p' "$APISERVER_MANIFEST" | head -n 1)
fi
[[ -n $address ]] || address=$(default_route_address)
log "this node is the Kubernetes Node $name$([[ $control_plane == true ]] && echo ", a control plane")${address:+ at $address}"
printf 'KUBEADM_NODE_NAME name=%s joined=%s control_plane=%s address=%s\n' "$name" "$joined" "$control_plane" "$address"
