#!/usr/bin/env bash
# renewCertificates on a control plane: shows when kubeadm's certificates expire and, when asked,
# renews them all and restarts the control-plane containers one at a time so they load the new ones
# (kubeadm renews files; running components keep the old certificates until they restart).
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'USAGE'
Usage: sudo env RENEW=true renew-certificates.sh

Prints `kubeadm certs check-expiration` for this control plane. With RENEW=true it then runs
`kubeadm certs renew all`, restarts etcd, kube-apiserver, kube-controller-manager and kube-scheduler
one at a time (each container stopped with crictl; the kubelet starts it again), waits for each to run
and for the API server to answer /readyz, and prints the new expiry dates. A kubeconfig that
kubeadmInit copied from admin.conf for the agent's user is replaced by the renewed admin.conf.
Idempotent: renewing again renews again; checking changes nothing.

Environment variables:
  RENEW  true renews, false only checks (default: false)

Prints "KUBEADM_CERTS_RESULT state=checked|renewed earliest=YYYY-MM-DDTHH:MM:00Z
earliest_certificate=NAME" as its last line: the certificate (or authority) that expires first.
USAGE
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"

RENEW=${RENEW:-false}
[[ $RENEW == true || $RENEW == false ]] || die "RENEW must be true or false"
readonly ADMIN_CONF=/etc/kubernetes/admin.conf
readonly APISERVER_MANIFEST=/etc/kubernetes/manifests/kube-apiserver.yaml
readonly CA_CERT=/etc/kubernetes/pki/ca.crt

require_root
take_node_lock
command -v kubeadm >/dev/null 2>&1 || die "kubeadm is not installed (this step runs on a control-plane node)"
[[ -f $ADMIN_CONF && -f $APISERVER_MANIFEST ]] || die "this node is not a control plane ($ADMIN_CONF or $APISERVER_MANIFEST is missing)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The expiry table, printed; its lines "NAME  Mon DD, YYYY HH:MM UTC ..." give each expiry.
check_expiration() {
  kubeadm certs check-expiration 2>"$work/kubeadm.log" >"$work/table" ||
    die "kubeadm certs check-expiration failed: $(tail -n 1 "$work/kubeadm.log")"
  grep -v '^\[check-expiration\]' "$work/table" | sed '/^$/d'
}

# "NAME ISO-TIME" of the certificate or authority that expires first.
earliest_expiry() {
  local name month day year time iso best_name='' best=''
  while read -r name month day year time _; do
    iso=$(date -u -d "$month ${day%,} $year $time UTC" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null) || continue
    if [[ -z $best || $iso < "$best" ]]; then best=$iso; best_name=$name; fi
  done < <(grep -E '^[a-z][a-z0-9.-]* +[A-Z][a-z]{2} [0-9]{2}, [0-9]{4} [0-9]{2}:[0-9]{2} UTC' "$work/table")
  [[ -n $best ]] || die "kubeadm certs check-expiration listed no certificate"
  printf '%s %s\n' "$best_name" "$best"
}

crictl_() { crictl --runtime-endpoint "$CONTAINERD_CRI_SOCKET" "$@"; }
running_container() { crictl_ ps --name "^$1\$" --state running -q 2>/dev/null | head -n 1; }

advertise_address=$(grep -o -- '--advertise-address=[0-9.]*' "$APISERVER_MANIFEST" | head -n 1 | cut -d= -f2)
api_port=$(grep -o -- '--secure-port=[0-9]*' "$APISERVER_MANIFEST" | head -n 1 | cut -d= -f2)
api_ready() { curl -fsS --max-time 5 --cacert "$CA_CERT" "https://$advertise_address:${api_port:-6443}/readyz" >/dev/null 2>&1; }

# Stops a control-plane container; the kubelet starts a new one, which reads the renewed files.
restart_component() {
  local name=$1 old new=''
  old=$(running_container "$name")
  if [[ -z $old ]]; then
    warn "$name is not running on this node; not restarted"
    return 0
  fi
  crictl_ stop "$old" >/dev/null
  for _ in $(seq 1 180); do
    new=$(running_container "$name")
    if [[ -n $new && $new != "$old" ]]; then break; fi
    sleep 1
  done
  [[ -n $new && $new != "$old" ]] || die "$name did not run again within 180 s after its restart (see: crictl ps -a --name $name)"
  for _ in $(seq 1 180); do api_ready && break; sleep 1; done
  api_ready || die "the API server does not answer /readyz within 180 s after $name restarted"
  note "$name restarted with the renewed certificates; the API server answers"
}

log "certificate expiry on this control plane"
check_expiration
state=checked
if [[ $RENEW == true ]]; then
  admin_before=$(sha256sum "$ADMIN_CONF" | cut -d' ' -f1)
  log "kubeadm certs renew all"
  kubeadm certs renew all >"$work/renew.log" 2>&1 || die "kubeadm certs renew all failed: $(tail -n 1 "$work/renew.log")"
  grep -E 'renewed' "$work/renew.log" | sed 's/^/    /' || true
  log "restarting the control-plane containers one at a time"
  for component in etcd kube-apiserver kube-controller-manager kube-scheduler; do
    restart_component "$component"
  done
  # kubeadmInit gave the agent's user a copy of admin.conf; a copy still equal to the old one is renewed too.
  while IFS=: read -r _ _ _ _ _ home _; do
    copy=$home/.kube/config
    if [[ -f $copy && $(sha256sum "$copy" | cut -d' ' -f1) == "$admin_before" ]]; then
      cat -- "$ADMIN_CONF" >"$copy"
      note "$copy renewed (it was kubeadmInit's copy of admin.conf)"
    fi
  done < <(getent passwd)
  log "certificate expiry after the renewal"
  check_expiration
  state=renewed
fi
read -r earliest_name earliest < <(earliest_expiry)
note "expires first: $earliest_name on $earliest"
printf 'KUBEADM_CERTS_RESULT state=%s earliest=%s earliest_certificate=%s\n' "$state" "$earliest" "$earliest_name"
