#!/usr/bin/env bash
# installGpuPlugin, node side: checks that the NVIDIA driver and the NVIDIA container toolkit are
# installed, and makes nvidia a containerd runtime (the default one, or one pods select with
# RuntimeClass nvidia). containerd is restarted only when its configuration changed.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'USAGE'
Usage: sudo env VAR=value ... gpu-node.sh

Prepares a node with an NVIDIA GPU for the NVIDIA device plugin. Run it after install-runtime.sh,
on each GPU node. Idempotent: a second run changes nothing and does not restart containerd.
Installs nothing itself: a missing prerequisite is named with what to install.

Environment variables:
  MIN_DRIVER_VERSION   optional; lowest NVIDIA driver version accepted, as nvidia-smi reports it
                       (default: 418.81.07, the NVIDIA container toolkit's minimum)
  NVIDIA_RUNTIME_MODE  optional; default | runtimeclass (default: default)
                         default       nvidia becomes containerd's default runtime
                         runtimeclass  nvidia is an extra runtime; GPU pods set runtimeClassName: nvidia
                       installGpuPlugin's runtime parameter must match.
  CONTAINERD_CONFIG    optional; containerd's configuration file
                       (default: /etc/containerd/config.toml, as install-runtime.sh writes it)
USAGE
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"

MIN_DRIVER_VERSION=${MIN_DRIVER_VERSION:-418.81.07}
NVIDIA_RUNTIME_MODE=${NVIDIA_RUNTIME_MODE:-default}
CONTAINERD_CONFIG=${CONTAINERD_CONFIG:-/etc/containerd/config.toml}

# ---- validation: everything is checked before anything is changed -------------------------------
[[ $MIN_DRIVER_VERSION =~ ^[0-9]{1,4}(\.[0-9]{1,4}){0,2}$ ]] ||
  die "MIN_DRIVER_VERSION: '$MIN_DRIVER_VERSION' is not a driver version (accepted: digits and dots, e.g. 535.104.05)"
case "$NVIDIA_RUNTIME_MODE" in
  default|runtimeclass) ;;
  *) die "NVIDIA_RUNTIME_MODE: '$NVIDIA_RUNTIME_MODE' is not a mode (accepted: default | runtimeclass)" ;;
esac
[[ $CONTAINERD_CONFIG == /* && $CONTAINERD_CONFIG != *..* ]] ||
  die "CONTAINERD_CONFIG: '$CONTAINERD_CONFIG' is not an absolute path"

require_root
take_node_lock

# True when version $1 is older than version $2 (dotted numbers).
version_older() {
  [[ $1 != "$2" && $(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1) == "$1" ]]
}

# ---- driver -------------------------------------------------------------------------------------
log "NVIDIA driver: nvidia-smi, version >= $MIN_DRIVER_VERSION"
command -v nvidia-smi >/dev/null 2>&1 ||
  die "nvidia-smi not found: install the NVIDIA driver (Debian: nvidia-driver from non-free; Ubuntu: ubuntu-drivers install), then reboot"
if ! smi_out=$(nvidia-smi --query-gpu=driver_version,name --format=csv,noheader 2>&1); then
  die "nvidia-smi cannot query the GPU: $(printf '%s\n' "$smi_out" | head -n1) (is the driver loaded? a reboot after installing it may be needed)"
fi
[[ -n $smi_out ]] || die "nvidia-smi lists no GPU on this node"
driver=$(printf '%s\n' "$smi_out" | head -n1 | cut -d, -f1 | tr -d ' ')
[[ $driver =~ ^[0-9]+(\.[0-9]+)*$ ]] || die "nvidia-smi reported an unreadable driver version: '$driver'"
if version_older "$driver" "$MIN_DRIVER_VERSION"; then
  die "NVIDIA driver $driver is older than MIN_DRIVER_VERSION $MIN_DRIVER_VERSION: install a newer driver"
fi
gpu_count=$(printf '%s\n' "$smi_out" | grep -c .)
note "driver $driver, $gpu_count GPU(s): $(printf '%s\n' "$smi_out" | cut -d, -f2- | sed 's/^ *//' | paste -sd ';' -)"

# ---- container toolkit --------------------------------------------------------------------------
log "NVIDIA container toolkit: nvidia-ctk"
command -v nvidia-ctk >/dev/null 2>&1 ||
  die "nvidia-ctk not found: install nvidia-container-toolkit (NVIDIA's apt repository at nvidia.github.io/libnvidia-container, then apt-get install nvidia-container-toolkit)"
note "$(nvidia-ctk --version 2>&1 | head -n1)"

# ---- containerd ---------------------------------------------------------------------------------
log "containerd: nvidia runtime ($NVIDIA_RUNTIME_MODE)"
command -v containerd >/dev/null 2>&1 || die "containerd not found: run install-runtime.sh first"
[[ -f $CONTAINERD_CONFIG ]] || die "$CONTAINERD_CONFIG does not exist: run install-runtime.sh first"
default_is_nvidia() { grep -Eq '^[[:space:]]*default_runtime_name[[:space:]]*=[[:space:]]*"nvidia"' "$CONTAINERD_CONFIG"; }
if [[ $NVIDIA_RUNTIME_MODE == runtimeclass ]] && default_is_nvidia; then
  die "containerd's default runtime is already nvidia ($CONTAINERD_CONFIG); NVIDIA_RUNTIME_MODE=runtimeclass does not undo that: set default_runtime_name back to \"runc\" there, or use NVIDIA_RUNTIME_MODE=default"
fi
before=$(sha256sum "$CONTAINERD_CONFIG" | cut -d' ' -f1)
configure=(nvidia-ctk runtime configure --runtime=containerd "--config=$CONTAINERD_CONFIG")
[[ $NVIDIA_RUNTIME_MODE == default ]] && configure+=(--set-as-default)
if ! ctk_out=$("${configure[@]}" 2>&1); then
  die "nvidia-ctk runtime configure failed: $(printf '%s\n' "$ctk_out" | grep -v '^$' | tail -n1)"
fi
grep -q 'runtimes\.nvidia\]' "$CONTAINERD_CONFIG" ||
  die "nvidia-ctk did not add the nvidia runtime to $CONTAINERD_CONFIG"
if [[ $NVIDIA_RUNTIME_MODE == default ]] && ! default_is_nvidia; then
  die "nvidia-ctk did not make nvidia containerd's default runtime in $CONTAINERD_CONFIG"
fi
after=$(sha256sum "$CONTAINERD_CONFIG" | cut -d' ' -f1)
if [[ $before != "$after" ]]; then
  note "configuration changed, restarting containerd"
  systemctl restart containerd
  for _ in $(seq 1 30); do
    systemctl is-active --quiet containerd && break
    sleep 1
  done
  systemctl is-active --quiet containerd ||
    die "containerd is not active after the restart (systemctl status containerd: $(systemctl is-active containerd 2>&1 || true))"
else
  note "configuration already has the nvidia runtime; containerd not restarted"
fi

log "GPU node ready: driver $driver, $gpu_count GPU(s), containerd runtime nvidia ($NVIDIA_RUNTIME_MODE)"
