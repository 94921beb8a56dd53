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
runner collects (and removes) after the run. Prints nothing of the kubeconfig.

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
cat -- "$ADMIN_CONF" > "$ADMIN_KUBECONFIG_RESULT"
log "admin kubeconfig handed to the step (in memory only)"
