#!/usr/bin/env bash
# Hands the control plane's admin kubeconfig to the caller as a result file, never through the
# output: cluster steps for nodes reached over SSH keep it in memory and reach the API server with it.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'USAGE'
Usage: sudo env ADMIN_KUBECONFIG_RESULT=FILE fetch-admin-kubeconfig.sh

Copies /etc/kubernetes/admin.conf into ADMIN_KUBECONFIG_RESULT, the root-only result file the
runner collects (and removes) after the run. Prints nothing of the kubeconfig. A cluster behind
apiServerLoadBalancer haproxy names each node's own loopback (127.0.0.1:LOCAL_API_LOAD_BALANCER_PORT)
as its server, which the caller cannot reach: the copy names this control plane's API server instead.

Environment variables:
  ADMIN_KUBECONFIG_RESULT  required; set by the runner, not by hand.
USAGE
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"

readonly ADMIN_CONF=/etc/kubernetes/admin.conf
[[ -n ${ADMIN_KUBECONFIG_RESULT:-} ]] || die "ADMIN_KUBECONFIG_RESULT is required (the runner sets it)"
require_root
[[ -s $ADMIN_CONF ]] || die "$ADMIN_CONF is missing: this node is not a control plane (run kubeadmInit first)"
local_endpoint="https://127.0.0.1:$LOCAL_API_LOAD_BALANCER_PORT"
if grep -qE "^[[:space:]]*server: $local_endpoint\$" "$ADMIN_CONF"; then
  address=$(sed -nE 's/^[[:space:]]*- --advertise-address=([0-9.]+)$/\1/p' /etc/kubernetes/manifests/kube-apiserver.yaml 2>/dev/null | head -n 1)
  [[ -n $address ]] || die "the admin kubeconfig names this node's load balancer, and this node runs no API server to name instead"
  sed -E "s#^([[:space:]]*server: )$local_endpoint\$#\1https://$address:6443#" -- "$ADMIN_CONF" >"$ADMIN_KUBECONFIG_RESULT"
  log "admin kubeconfig handed to the step (in memory only), naming this control plane's API server $address:6443"
else
  cat -- "$ADMIN_CONF" >"$ADMIN_KUBECONFIG_RESULT"
  log "admin kubeconfig handed to the step (in memory only)"
fi
