#!/usr/bin/env bash
# resetNode: takes a node out of its cluster so that kubeadmInit or joinWorkers can rebuild it (the
# scheduled rebuild of a lab cluster): kubeadm reset, then what kubeadm reset leaves behind. Only
# Kubernetes and CNI firewall chains are removed: no table is flushed and no default policy is
# touched, so the SSH connection running this script keeps working.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'USAGE'
Usage: sudo reset-node.sh

Removes this node from its Kubernetes cluster and cleans up after kubeadm reset: the CNI
configuration (the files in /etc/cni/net.d; the folder stays, containerd watches it) and state (/var/lib/cni, /run/flannel), the CNI interfaces (cni0, flannel.*,
weave, VXLAN devices of Flannel, Calico, Weave and Cilium), IPVS tables when ipvsadm is installed,
the Kubernetes and CNI iptables chains (KUBE-*, CNI-*, FLANNEL*, WEAVE*; no other rule, chain or
default policy), /etc/kubernetes, /var/lib/kubelet, /var/lib/etcd, and the local API load balancer
service apiServerLoadBalancer set up (the haproxy package stays installed).
Idempotent: resetting a clean node succeeds and changes nothing.

Environment variables: none.
USAGE
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"

require_root
take_node_lock
require_supported_os

# Chains kube-proxy, the CNI plugins' portmap/bridge, Flannel and Weave Net create.
readonly OWN_CHAIN_RE='^(KUBE-|CNI-|FLANNEL|WEAVE)'
# /var/lib/cni holds the CNI plugins' IP allocations: left behind, they leak into the rebuilt cluster.
# /run/flannel/subnet.env is the old cluster's pod subnet of this node: the flannel CNI plugin would
# wire the rebuilt cluster's first pods (CoreDNS) into it before the new flanneld rewrites it, and
# their replies would be routed to whichever node now owns that subnet.
readonly DIRECTORIES=(/etc/kubernetes /var/lib/kubelet /var/lib/etcd /var/lib/cni /run/flannel)
# Emptied, not removed: containerd watches this folder for the CNI config, and a removed and
# re-created folder goes unnoticed (nodes stay NotReady, "cni plugin not initialized").
readonly CNI_CONFIG_DIR=/etc/cni/net.d

# ---- kubeadm reset ------------------------------------------------------------------------------
log "kubeadm reset"
if command -v kubeadm >/dev/null 2>&1; then
  if ! kubeadm reset -f 2>&1 | mask_bootstrap_tokens | sed 's/^/    /'; then
    warn "kubeadm reset -f failed; cleaning up without it"
  fi
else
  note "kubeadm is not installed: skipped"
fi
if systemctl cat kubelet.service >/dev/null 2>&1 && systemctl is-active --quiet kubelet; then
  systemctl stop kubelet
  note "kubelet stopped"
fi

# ---- files --------------------------------------------------------------------------------------
log "Kubernetes and CNI folders"
# Pod volumes (tmpfs secrets, projected tokens) are mounted below /var/lib/kubelet: deepest first.
while IFS= read -r mount_point; do
  umount "$mount_point" 2>/dev/null || umount -l "$mount_point"
  note "unmounted $mount_point"
done < <(awk '$2 ~ "^/var/lib/kubelet/" { print $2 }' /proc/mounts | sort -r)
removed=0
for dir in "${DIRECTORIES[@]}"; do
  if [[ -e $dir ]]; then
    rm -rf --one-file-system "$dir"
    note "removed $dir"
    removed=1
  fi
done
if [[ -d $CNI_CONFIG_DIR && -n $(ls -A "$CNI_CONFIG_DIR") ]]; then
  find "$CNI_CONFIG_DIR" -mindepth 1 -delete
  note "emptied $CNI_CONFIG_DIR"
  removed=1
fi
((removed)) || note "none found"
# A folder removed by an earlier reset (or by hand) left containerd without its CNI config watch:
# a restart gives it back. No pod runs any more, so nothing is cut.
if [[ ! -d $CNI_CONFIG_DIR ]] && systemctl is-active --quiet containerd 2>/dev/null; then
  install -d -m 0755 "$CNI_CONFIG_DIR"
  systemctl restart containerd
  note "re-created $CNI_CONFIG_DIR and restarted containerd so that it watches it again"
fi

# ---- network interfaces -------------------------------------------------------------------------
log "CNI network interfaces"
removed=0
while IFS= read -r dev; do
  case $dev in
    # Bridges and tunnels of the bridge plugin, Flannel (VXLAN, WireGuard), Weave Net, kube-proxy's
    # IPVS dummy, and VXLAN devices by the names Flannel, Calico, Weave and Cilium give them.
    cni0|flannel.*|flannel-v6.*|flannel-wg|flannel-wg-v6|weave|datapath|vethwe-*|kube-ipvs0|kube-bridge|vxlan.calico|vxlan-v6.calico|vxlan-[0-9]*|cilium_vxlan)
      if ip link delete "$dev" 2>/dev/null; then
        note "deleted $dev"
        removed=1
      fi ;;
  esac
done < <(ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }')
((removed)) || note "none found"

log "IPVS tables"
if command -v ipvsadm >/dev/null 2>&1; then
  ipvsadm --clear
  note "cleared"
else
  note "ipvsadm is not installed: nothing to clear"
fi

# ---- firewall chains ----------------------------------------------------------------------------
# Deletes the Kubernetes and CNI chains of one table in one iptables-restore --noflush transaction:
# first the rules elsewhere that jump to them, then their rules, then the chains. Every other rule,
# chain and default policy stays as it is.
clean_table() { # tool-prefix (iptables, ip6tables-legacy, ...) table
  local tool=$1 table=$2 saved chains=() jumps=() line chain target script
  saved=$("$tool-save" -t "$table" 2>/dev/null) || return 0
  while IFS= read -r line; do
    if [[ $line =~ ^:([^[:space:]]+) ]]; then
      chain=${BASH_REMATCH[1]}
      if [[ $chain =~ $OWN_CHAIN_RE ]]; then chains+=("$chain"); fi
    elif [[ $line =~ ^-A\ ([^[:space:]]+)(\ .*)?\ -[jg]\ ([^[:space:]]+) ]]; then
      chain=${BASH_REMATCH[1]}
      target=${BASH_REMATCH[3]}
      if ! [[ $chain =~ $OWN_CHAIN_RE ]] && [[ $target =~ $OWN_CHAIN_RE ]]; then
        jumps+=("-D ${line#-A }")
      fi
    fi
  done <<<"$saved"
  ((${#chains[@]} + ${#jumps[@]} > 0)) || return 0
  script="*$table"$'\n'
  for line in "${jumps[@]}"; do script+="$line"$'\n'; done
  for chain in "${chains[@]}"; do script+="-F $chain"$'\n'; done
  for chain in "${chains[@]}"; do script+="-X $chain"$'\n'; done
  script+="COMMIT"$'\n'
  "$tool-restore" -w 10 --noflush <<<"$script" || die "$tool-restore could not remove the chains of table $table"
  note "$tool $table: removed ${#chains[@]} chain(s) and ${#jumps[@]} jump(s) into them"
  changed=1
}
log "iptables: Kubernetes and CNI chains only (KUBE-*, CNI-*, FLANNEL*, WEAVE*)"
changed=0
tools=()
for base in iptables ip6tables; do
  # Both backends: kube-proxy and the CNI plugins may have used either. The legacy one only when
  # the kernel has legacy tables: listing them would create them.
  names=/proc/net/ip_tables_names
  [[ $base == ip6tables ]] && names=/proc/net/ip6_tables_names
  found=0
  if command -v "$base-nft-save" >/dev/null 2>&1 && command -v "$base-nft-restore" >/dev/null 2>&1; then
    tools+=("$base-nft")
    found=1
  fi
  if [[ -s $names ]] && command -v "$base-legacy-save" >/dev/null 2>&1 && command -v "$base-legacy-restore" >/dev/null 2>&1; then
    tools+=("$base-legacy")
    found=1
  fi
  if ((!found)) && command -v "$base-save" >/dev/null 2>&1; then tools+=("$base"); fi
done
((${#tools[@]} > 0)) || note "iptables is not installed: nothing to clean"
for tool in "${tools[@]}"; do
  for table in filter nat mangle raw; do clean_table "$tool" "$table"; done
done
# kube-proxy's nftables mode keeps its rules in tables of its own.
if command -v nft >/dev/null 2>&1; then
  for family in ip ip6; do
    if nft list table "$family" kube-proxy >/dev/null 2>&1; then
      nft delete table "$family" kube-proxy
      note "nft: deleted table $family kube-proxy"
      changed=1
    fi
  done
fi
((changed)) || note "none found"

# ---- the local API load balancer (api-load-balancer.sh) -------------------------------------------
log "local API load balancer"
if [[ -f /etc/systemd/system/kubeadm-api-load-balancer.service ]]; then
  systemctl disable --now --quiet kubeadm-api-load-balancer.service 2>/dev/null || true
  rm -f /etc/systemd/system/kubeadm-api-load-balancer.service /etc/kubeadm-pipeline/api-load-balancer.cfg
  systemctl daemon-reload
  note "stopped and removed (the haproxy package stays)"
else
  note "none"
fi
log "node reset"
