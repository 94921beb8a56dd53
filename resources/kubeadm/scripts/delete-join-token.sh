#!/usr/bin/env bash
# Deletes a bootstrap (join) token on the control plane once every worker has joined: a join token
# left valid lets anyone who saw it add machines to the cluster until it expires.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'USAGE'
Usage: sudo env JOIN_TOKEN_ID=abcdef delete-join-token.sh

Deletes the bootstrap token JOIN_TOKEN_ID with `kubeadm token delete` on this control-plane node.
Idempotent: a token that is already gone (deleted or expired) succeeds unchanged.

Environment variables:
  JOIN_TOKEN_ID  required; the public part of the token ([a-z0-9]{6}, the part before the dot).
                 The secret part is never needed.

Prints "KUBEADM_TOKEN_DELETE_RESULT state=deleted|absent token_id=ID" as its last line.
USAGE
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"

JOIN_TOKEN_ID=${JOIN_TOKEN_ID:-}
readonly ADMIN_CONF=/etc/kubernetes/admin.conf
[[ -n $JOIN_TOKEN_ID ]] || die "JOIN_TOKEN_ID is required (accepted: the 6-character token id, [a-z0-9]{6})"
[[ $JOIN_TOKEN_ID =~ ^[a-z0-9]{6}$ ]] ||
  die "JOIN_TOKEN_ID is not a token id (value not shown; accepted: the 6 characters [a-z0-9] before the dot of a bootstrap token; never the whole token)"

require_root
take_node_lock
command -v kubeadm >/dev/null 2>&1 || die "kubeadm is not installed (this step runs on the control-plane node)"
[[ -f $ADMIN_CONF ]] || die "$ADMIN_CONF is missing: this node is not a control plane (run kubeadmInit first)"

log "join token $JOIN_TOKEN_ID"
# kubeadm deletes the Secret bootstrap-token-<id>; "not found" means someone (or the expiry) was first.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if kubeadm token delete --kubeconfig "$ADMIN_CONF" "$JOIN_TOKEN_ID" >"$out" 2>&1; then
  state=deleted
  note "deleted"
elif grep -q 'not found' "$out"; then
  state=absent
  note "already gone (deleted or expired)"
else
  die "kubeadm token delete failed: $(mask_bootstrap_tokens <"$out" | tail -n 1) (check that the API server answers)"
fi
printf 'KUBEADM_TOKEN_DELETE_RESULT state=%s token_id=%s\n' "$state" "$JOIN_TOKEN_ID"
