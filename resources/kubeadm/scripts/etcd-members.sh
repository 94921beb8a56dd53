#!/usr/bin/env bash
# removeNode on a control plane: lists the cluster's etcd members and whether each answers, from
# another control plane, and removes one member when asked. Talks to the local etcd member the way
# the API server does (kubeadm's apiserver-etcd-client certificate), through etcd's HTTP gateway, so
# no etcdctl is needed on the node.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'USAGE'
Usage: sudo env [REMOVE_MEMBER_ID=ID] ETCD_MEMBERS_RESULT=FILE etcd-members.sh

On a control plane of a kubeadm cluster with stacked etcd: writes etcd's member list (JSON, as etcd's
/v3/cluster/member/list answers) to ETCD_MEMBERS_RESULT, and prints one line per client URL in it,
"KUBEADM_ETCD_HEALTH url=https://ADDRESS:2379 healthy=true|false". With REMOVE_MEMBER_ID, first removes
that member (etcd's decimal member ID); a member already gone is fine.

Environment variables:
  ETCD_MEMBERS_RESULT  required; the result file, set by the runner
  REMOVE_MEMBER_ID     optional decimal etcd member ID to remove (default: remove nothing)
USAGE
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"

REMOVE_MEMBER_ID=${REMOVE_MEMBER_ID:-}
[[ -n ${ETCD_MEMBERS_RESULT:-} ]] || die "ETCD_MEMBERS_RESULT is required (the runner sets it)"
[[ -z $REMOVE_MEMBER_ID || $REMOVE_MEMBER_ID =~ ^[0-9]{1,20}$ ]] ||
  die "REMOVE_MEMBER_ID: '$REMOVE_MEMBER_ID' is not an etcd member ID (accepted: decimal digits, as the member list gives them)"

require_root
take_node_lock
readonly PKI=/etc/kubernetes/pki
[[ -f $PKI/apiserver-etcd-client.crt && -f $PKI/etcd/ca.crt ]] ||
  die "this node has no stacked etcd client certificate ($PKI/apiserver-etcd-client.crt): it is not a kubeadm control plane with local etcd"
etcd_call() { # path body
  curl -fsS --max-time 10 --cacert "$PKI/etcd/ca.crt" --cert "$PKI/apiserver-etcd-client.crt" --key "$PKI/apiserver-etcd-client.key" \
    -X POST -H 'Content-Type: application/json' -d "$2" "https://127.0.0.1:2379$1"
}

if [[ -n $REMOVE_MEMBER_ID ]]; then
  log "etcd: removing member $REMOVE_MEMBER_ID"
  # etcd refuses a removal (503) until the member asked has been connected to every other member for
  # a few seconds, e.g. just after a member came back: asked again for up to a minute.
  for attempt in $(seq 1 20); do
    if answer=$(etcd_call /v3/cluster/member/remove "{\"ID\":\"$REMOVE_MEMBER_ID\"}" 2>&1); then
      note "removed"
      break
    elif [[ $answer == *"member not found"* || $answer == *"404"* ]]; then
      note "already gone"
      break
    elif [[ $answer == *"503"* ]] && ((attempt < 20)); then
      note "etcd is not ready to remove it yet ($answer); asking again in 3 s"
      sleep 3
    else
      die "etcd did not remove member $REMOVE_MEMBER_ID: $answer"
    fi
  done
fi

log "etcd members"
members=$(etcd_call /v3/cluster/member/list '{}') || die "the local etcd member does not answer at https://127.0.0.1:2379"
printf '%s\n' "$members" >"$ETCD_MEMBERS_RESULT"
for url in $(grep -oE '"clientURLs":\["https://[0-9.]+:[0-9]+' <<<"$members" | sed 's/.*\["//' | sort -u); do
  healthy=false
  if curl -fsS --max-time 3 --cacert "$PKI/etcd/ca.crt" --cert "$PKI/apiserver-etcd-client.crt" --key "$PKI/apiserver-etcd-client.key" \
    "$url/health" 2>/dev/null | grep -q '"health":"true"'; then
    healthy=true
  fi
  note "$url: $([[ $healthy == true ]] && echo healthy || echo "no healthy answer")"
  printf 'KUBEADM_ETCD_HEALTH url=%s healthy=%s\n' "$url" "$healthy"
done
