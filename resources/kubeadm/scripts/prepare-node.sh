#!/usr/bin/env bash
# prepareNode: what every kubeadm node needs before a runtime is installed: a hostname, cluster
# hosts, swap off for good, overlay + br_netfilter, the bridge/forwarding sysctls, preflight checks
# and a machine-readable identity line so duplicates across nodes can be caught.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'USAGE'
Usage: sudo env VAR=value ... prepare-node.sh

Prepares a Debian 12 / Ubuntu 22.04 / Ubuntu 24.04 machine to become a kubeadm node.
Idempotent: a second run changes nothing.

Environment variables:
  NODE_ROLE         required; control-plane | worker
  NODE_HOSTNAME     optional; RFC 1123 hostname to set (default: keep the current hostname)
  CLUSTER_HOSTS     optional; lines of "IP NAME [NAME...]" kept as a managed block in /etc/hosts
                    (default: empty, the block is removed); a missing /etc/hosts is created
                    with the localhost lines first
  PREFLIGHT_IGNORE  optional; comma list of preflight checks to report as warnings instead of
                    errors: NumCPU, Mem, Systemd, Cgroups, Port-<n> (e.g. Port-6443), and on a
                    container node Kmsg, CgroupsWritable, KernelSysctls; or all (default: empty)

On a node that is a container (LXC/LXD, Proxmox, systemd-nspawn: systemd-detect-virt --container),
the preflight also checks what only the container's host can give kubelet: /dev/kmsg, writable
cgroup controllers and the kernel settings kubelet needs; each failure names the fix on the host.

Prints "KUBEADM_NODE_IDENTITY hostname=... product_uuid=... machine_id=... macs=... primary_ip=...
clock=<seconds since the epoch>" as its last line.
USAGE
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"

NODE_ROLE=${NODE_ROLE:-}
NODE_HOSTNAME=${NODE_HOSTNAME:-}
CLUSTER_HOSTS=${CLUSTER_HOSTS:-}
PREFLIGHT_IGNORE=${PREFLIGHT_IGNORE:-}

readonly HOSTS_BEGIN='# BEGIN kubeadm-pipeline cluster hosts'
readonly HOSTS_END='# END kubeadm-pipeline cluster hosts'
readonly MODULES_FILE=/etc/modules-load.d/k8s.conf
readonly SYSCTL_FILE=/etc/sysctl.d/k8s.conf
readonly KNOWN_CHECKS='NumCPU Mem Systemd Cgroups Kmsg CgroupsWritable KernelSysctls'
# What kubelet writes to /proc/sys when the value differs (and fails when it cannot): in a container
# these are the host's, so the host must already have them.
readonly KUBELET_SYSCTLS='vm.overcommit_memory=1 vm.panic_on_oom=0 kernel.panic=10 kernel.panic_on_oops=1 kernel.keys.root_maxkeys=1000000 kernel.keys.root_maxbytes=25000000'

# ---- validation: everything is checked before anything is changed -------------------------------
hostname_re='^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$'
ipv4_re='^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$'

case "$NODE_ROLE" in
  control-plane|worker) ;;
  '') die "NODE_ROLE is required (accepted: control-plane | worker)" ;;
  *) die "NODE_ROLE: '$NODE_ROLE' is not a role (accepted: control-plane | worker)" ;;
esac
if [[ -n $NODE_HOSTNAME ]] && { [[ ${#NODE_HOSTNAME} -gt 253 ]] || ! [[ $NODE_HOSTNAME =~ $hostname_re ]]; }; then
  die "NODE_HOSTNAME: '$NODE_HOSTNAME' is not a valid hostname (accepted: an RFC 1123 hostname, lower-case labels of a-z, 0-9 and '-', 1-63 characters each)"
fi
line_no=0
while IFS= read -r line; do
  line_no=$((line_no + 1))
  [[ -z ${line//[[:space:]]/} ]] && continue
  read -r -a fields <<<"$line"
  if [[ ${#fields[@]} -lt 2 ]] || ! [[ ${fields[0]} =~ $ipv4_re ]]; then
    die "CLUSTER_HOSTS: line $line_no is not 'IP NAME [NAME...]' (accepted: lines such as '192.168.1.10 nuc01')"
  fi
  for name in "${fields[@]:1}"; do
    [[ $name =~ $hostname_re ]] ||
      die "CLUSTER_HOSTS: line $line_no: '$name' is not a valid hostname (accepted: lines such as '192.168.1.10 nuc01')"
  done
done <<<"$CLUSTER_HOSTS"
declare -A ignored=()
IFS=',' read -r -a ignore_list <<<"$PREFLIGHT_IGNORE"
for check in "${ignore_list[@]}"; do
  check=${check//[[:space:]]/}
  [[ -z $check ]] && continue
  lower=${check,,}
  if [[ $lower == all || $lower =~ ^port-[0-9]{1,5}$ || " ${KNOWN_CHECKS,,} " == *" $lower "* ]]; then
    ignored[$lower]=1
  else
    die "PREFLIGHT_IGNORE: unknown check '$check' (accepted: a comma list of $KNOWN_CHECKS, Port-<n>, all)"
  fi
done

require_root
take_node_lock
require_supported_os

# ---- hostname and /etc/hosts --------------------------------------------------------------------
if [[ -n $NODE_HOSTNAME ]]; then
  log "hostname $NODE_HOSTNAME"
  tmp=$(mktemp)
  printf '%s\n' "$NODE_HOSTNAME" >"$tmp"
  if install_if_changed /etc/hostname "$tmp" 0644; then note "/etc/hostname updated"; fi
  if [[ $(hostname) != "$NODE_HOSTNAME" ]]; then
    hostname "$NODE_HOSTNAME"
    note "hostname set"
  fi
fi

log "cluster hosts in /etc/hosts"
if [[ ! -e /etc/hosts ]]; then
  # debootstrap --variant=minbase and some container images leave none: start from the localhost
  # lines a Debian install writes, so localhost keeps resolving once the file exists.
  printf '%s\n' '127.0.0.1	localhost' '::1		localhost ip6-localhost ip6-loopback' \
    'ff02::1		ip6-allnodes' 'ff02::2		ip6-allrouters' >/etc/hosts
  chmod 0644 /etc/hosts
  note "created /etc/hosts (there was none) with the localhost lines"
fi
tmp=$(mktemp)
# Everything outside our block is kept as it is.
awk -v b="$HOSTS_BEGIN" -v e="$HOSTS_END" '$0==b{skip=1;next} $0==e{skip=0;next} !skip' /etc/hosts >"$tmp"
if [[ -n ${CLUSTER_HOSTS//[[:space:]]/} ]]; then
  {
    printf '%s\n' "$HOSTS_BEGIN"
    while IFS= read -r line; do
      [[ -z ${line//[[:space:]]/} ]] && continue
      read -r -a fields <<<"$line"
      printf '%s\n' "${fields[*]}"
    done <<<"$CLUSTER_HOSTS"
    printf '%s\n' "$HOSTS_END"
  } >>"$tmp"
fi
# /etc/hosts may be a bind mount (containers): write in place instead of replacing the inode.
if cmp -s "$tmp" /etc/hosts; then note "unchanged"; else cat "$tmp" >/etc/hosts; note "updated"; fi
rm -f "$tmp"

# ---- swap off, now and for good -----------------------------------------------------------------
log "swap off"
if [[ -n $(swapon --show --noheadings 2>/dev/null) ]]; then
  swapoff -a
  note "active swap turned off"
fi
# Comment out swap entries in /etc/fstab so swap stays off after a reboot.
tmp=$(mktemp)
awk '/^[[:space:]]*#/ || NF < 3 || $3 != "swap" { print; next } { print "# disabled by kubeadm-pipeline (kubelet needs swap off): " $0 }' /etc/fstab >"$tmp" 2>/dev/null || : >"$tmp"
if [[ -f /etc/fstab ]] && ! cmp -s "$tmp" /etc/fstab; then
  cat "$tmp" >/etc/fstab
  note "swap entries in /etc/fstab commented out"
fi
rm -f "$tmp"
# systemd can activate swap without fstab (generators, .swap units): mask every swap unit it knows.
while read -r unit _; do
  [[ $unit == *.swap ]] || continue
  if [[ $(systemctl is-enabled "$unit" 2>/dev/null || true) != masked ]]; then
    systemctl mask --quiet "$unit"
    note "masked $unit"
  fi
done < <(systemctl list-units --type=swap --all --plain --no-legend 2>/dev/null; systemctl list-unit-files --type=swap --plain --no-legend '*.swap' 2>/dev/null)

# ---- kernel modules -----------------------------------------------------------------------------
# A module built into the kernel, or one the host already provides to a container, counts as loaded:
# /sys/module may be hidden and modprobe may be unable to load anything.
module_loaded() {
  case "$1" in
    overlay) grep -qw overlay /proc/filesystems ;;
    br_netfilter) [[ -d /proc/sys/net/bridge ]] ;;
    *) [[ -d /sys/module/$1 ]] ;;
  esac
}
log "kernel modules overlay, br_netfilter"
tmp=$(mktemp)
printf '%s\n' '# Loaded at boot for Kubernetes (kubeadm-pipeline).' overlay br_netfilter >"$tmp"
if install_if_changed "$MODULES_FILE" "$tmp" 0644; then note "$MODULES_FILE written"; fi
for module in overlay br_netfilter; do
  if module_loaded "$module"; then continue; fi
  modprobe "$module" 2>/dev/null || true
  module_loaded "$module" ||
    die "kernel module $module is not loaded and modprobe cannot load it (install the kernel's modules package, e.g. linux-modules-extra on Ubuntu)"
  note "loaded $module"
done

# ---- sysctl -------------------------------------------------------------------------------------
log "sysctl bridge-nf-call-iptables, bridge-nf-call-ip6tables, ip_forward"
tmp=$(mktemp)
printf '%s\n' '# Required by Kubernetes networking (kubeadm-pipeline).' \
  'net.bridge.bridge-nf-call-iptables = 1' \
  'net.bridge.bridge-nf-call-ip6tables = 1' \
  'net.ipv4.ip_forward = 1' >"$tmp"
if install_if_changed "$SYSCTL_FILE" "$tmp" 0644; then note "$SYSCTL_FILE written"; fi
sysctl -q -p "$SYSCTL_FILE" >/dev/null
for key in net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.ipv4.ip_forward; do
  [[ $(sysctl -n "$key") == 1 ]] || die "sysctl $key is $(sysctl -n "$key") after applying $SYSCTL_FILE, expected 1"
done

# ---- preflight ----------------------------------------------------------------------------------
log "preflight checks for a $NODE_ROLE"
failures=()
check_result() { # name, ok(0/1), reason
  local name=$1 ok=$2 reason=$3 lower=${1,,}
  [[ $ok -eq 0 ]] && return 0
  if [[ -n ${ignored[all]:-} || -n ${ignored[$lower]:-} ]]; then
    warn "preflight $name ignored (PREFLIGHT_IGNORE): $reason"
  else
    failures+=("$name: $reason")
  fi
}
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)
if [[ $NODE_ROLE == control-plane ]]; then
  # kubeadm's own minima for a control plane.
  check_result NumCPU "$([[ $cpus -ge 2 ]]; echo $?)" "$cpus CPU available, a control plane needs at least 2"
  check_result Mem "$([[ $mem_mb -ge 1700 ]]; echo $?)" "${mem_mb} MB memory, a control plane needs at least 1700 MB"
fi
check_result Systemd "$([[ -d /run/systemd/system ]]; echo $?)" "systemd is not running as the init system (kubelet runs as a systemd service)"
cgroups_ok=1
if [[ -f /sys/fs/cgroup/cgroup.controllers ]] || grep -qE '^(cpu|memory)[[:space:]]+[0-9]+[[:space:]]+[0-9]+[[:space:]]+1' /proc/cgroups 2>/dev/null; then
  cgroups_ok=0
fi
check_result Cgroups "$cgroups_ok" "no cgroup controllers found under /sys/fs/cgroup"
if systemd-detect-virt --container --quiet 2>/dev/null; then
  container_kind=$(systemd-detect-virt --container 2>/dev/null || true)
  note "this node is a container ($container_kind): checking what its host must give kubelet"
  kmsg_ok=1
  if [[ -c /dev/kmsg ]] && { : </dev/kmsg; } 2>/dev/null; then kmsg_ok=0; fi
  check_result Kmsg "$kmsg_ok" "/dev/kmsg is missing or unreadable; kubelet exits without it (on the host: LXC/Proxmox lxc.mount.entry = /dev/kmsg dev/kmsg none defaults,bind,create=file; systemd-nspawn --bind=/dev/kmsg)"
  read_only=$(findmnt -rn -t cgroup,cgroup2 -o TARGET,OPTIONS 2>/dev/null | awk '$2 ~ /(^|,)ro(,|$)/ { printf "%s ", $1 }')
  check_result CgroupsWritable "$([[ -z $read_only ]]; echo $?)" "read-only cgroup mounts: ${read_only% }; kubelet and runc create cgroups there (on the host: LXC/Proxmox lxc.mount.auto = cgroup:rw, or a privileged container with nesting; systemd-nspawn: remount them read-write inside)"
  wrong_sysctls=()
  for entry in $KUBELET_SYSCTLS; do
    key=${entry%%=*}
    wanted=${entry#*=}
    file=/proc/sys/${key//.//}
    [[ -r $file ]] || continue
    if [[ $(cat "$file") != "$wanted" ]] && ! [[ -w $file ]]; then wrong_sysctls+=("$key=$wanted (is $(cat "$file"))"); fi
  done
  if ((${#wrong_sysctls[@]} > 0)); then
    check_result KernelSysctls 1 "kubelet needs ${wrong_sysctls[*]} and cannot set them from inside a container (on the host: sysctl -w for each, persisted in /etc/sysctl.d)"
  fi
fi
if [[ -e /etc/kubernetes/kubelet.conf || -e /etc/kubernetes/manifests/kube-apiserver.yaml ]]; then
  # The node already runs Kubernetes: its own components hold these ports.
  note "node is already part of a cluster: port checks skipped"
else
  if [[ $NODE_ROLE == control-plane ]]; then ports=(6443 2379 2380 10250 10257 10259); else ports=(10250 10256); fi
  for port in "${ports[@]}"; do
    holder=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n 1)
    if [[ -n $holder ]]; then
      process=$(grep -o 'users:(("[^"]*"' <<<"$holder" | sed 's/users:(("//; s/"$//' || true)
      check_result "Port-$port" 1 "port $port is in use${process:+ by $process}"
    fi
  done
fi
if [[ ${#failures[@]} -gt 0 ]]; then
  printf 'preflight: %s\n' "${failures[@]}" >&2
  joined=$(printf '%s; ' "${failures[@]}")
  die "preflight failed: ${joined%; } (to report a check as a warning instead, add it to PREFLIGHT_IGNORE)"
fi
note "passed"

# ---- identity -----------------------------------------------------------------------------------
# kubeadm requires unique hostnames, MACs and product_uuids across nodes but nothing checks it;
# the orchestration compares these lines across nodes.
log "node identity"
product_uuid='' machine_id=''
# Containers and some VMs have no DMI table; "-" then stands for "unknown".
if [[ -r /sys/class/dmi/id/product_uuid ]]; then product_uuid=$(tr -d '[:space:]' </sys/class/dmi/id/product_uuid); fi
if [[ -r /etc/machine-id ]]; then machine_id=$(tr -d '[:space:]' </etc/machine-id); fi
macs=()
for dev in /sys/class/net/*; do
  name=${dev##*/}
  case "$name" in
    lo|cni*|flannel*|veth*|docker*|weave*|vxlan*|kube-*|tunl*|cali*|datapath|nodelocaldns) continue ;;
  esac
  mac=$(cat "$dev/address" 2>/dev/null || true)
  [[ -n $mac && $mac != 00:00:00:00:00:00 ]] && macs+=("$mac")
done
default_dev=$(ip -4 route show default 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
primary_ip=$(ip -4 -o addr show ${default_dev:+dev "$default_dev"} scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')
macs_joined=$(IFS=,; printf '%s' "${macs[*]}")
# clock: seconds since the epoch (UTC), so the orchestration can compare the nodes' clocks.
printf 'KUBEADM_NODE_IDENTITY hostname=%s product_uuid=%s machine_id=%s macs=%s primary_ip=%s clock=%s\n' \
  "$(hostname)" "${product_uuid:--}" "${machine_id:--}" "${macs_joined:--}" "${primary_ip:--}" "$(date +%s)"
