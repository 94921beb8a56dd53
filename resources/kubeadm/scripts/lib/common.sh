# shellcheck shell=bash
# Helpers shared by the node scripts in this folder. Sourced, never run; the runner ships it next
# to every step script, so each step stays standalone-runnable from a checkout or the jar.

# Any command that fails unexpectedly still leaves a one-line reason (set -e alone exits silently).
# BASH_COMMAND is the command as written, before expansion, so no value is printed. Not inherited
# by functions and subshells (no errtrace): checks inside them fail on purpose.
trap 'printf "ERROR: unexpected failure of \"%s\" (line %s)\n" "$BASH_COMMAND" "$LINENO" >&2' ERR

# Progress line: the orchestration and the archived logs key on the "==> " prefix.
log() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
# One-line reason on stderr, then a non-zero exit.
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

require_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (try: sudo env VAR=value $0)"
}

# Holds this node's step lock until the script exits (the kernel drops it with the process, also
# when a timeout kills it): steps from two builds, or a build and the command-line runner, never
# change one node at the same time. Waits at most NODE_LOCK_TIMEOUT_SECONDS, saying who holds it.
take_node_lock() {
  local waited=0 holder
  exec {node_lock_fd}>>"$NODE_LOCK_FILE"
  until flock -n "$node_lock_fd"; do
    holder=$(head -c 200 "$NODE_LOCK_FILE" 2>/dev/null || true)
    if ((waited >= NODE_LOCK_TIMEOUT_SECONDS)); then
      die "another kubeadm-pipeline step has been changing this node for over ${waited}s: ${holder:-its name unknown}; nothing was changed by this one"
    fi
    if ((waited % 15 == 0)); then
      log "waiting for this node: ${holder:-another kubeadm-pipeline step} is changing it"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  printf '%s (process %s) since %s\n' "${0##*/}" "$$" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$NODE_LOCK_FILE"
}

# No positional arguments: every input is an environment variable.
reject_arguments() {
  if [[ $# -gt 0 ]]; then
    die "unexpected argument '$1': inputs are environment variables, see $0 --help"
  fi
}

# Debian 12, Ubuntu 22.04 and 24.04 are what we test and support.
require_supported_os() {
  local os_release=/etc/os-release id='' version_id=''
  [[ -r $os_release ]] || die "cannot read $os_release; supported: Debian 12, Ubuntu 22.04, Ubuntu 24.04"
  # shellcheck disable=SC1090
  id=$(. "$os_release" && printf '%s' "${ID:-}")
  # shellcheck disable=SC1090
  version_id=$(. "$os_release" && printf '%s' "${VERSION_ID:-}")
  case "$id:$version_id" in
    debian:12|ubuntu:22.04|ubuntu:24.04) ;;
    *) die "unsupported operating system '$id $version_id'; supported: Debian 12, Ubuntu 22.04, Ubuntu 24.04" ;;
  esac
}

# Installs $2 (a file with the wanted content) at $1 with mode $3 when the content differs.
# Returns 0 when it changed the file, 1 when the file already had that content.
install_if_changed() {
  local target=$1 wanted=$2 mode=$3
  if [[ -f $target ]] && cmp -s "$wanted" "$target"; then
    rm -f "$wanted"
    return 1
  fi
  mkdir -p "$(dirname "$target")"
  install -m "$mode" "$wanted" "$target"
  rm -f "$wanted"
  return 0
}

# Supported minors, their end of life and pause images, the CRI socket: one file for Java and bash.
# shellcheck source=lib/defaults.env
. "$(dirname "${BASH_SOURCE[0]}")/defaults.env"

# Warns (never fails) when minor $1 is past upstream's end of life today.
warn_if_end_of_life() {
  local entry end
  for entry in $KUBERNETES_END_OF_LIFE; do
    [[ ${entry%%=*} == "$1" ]] || continue
    end=${entry#*=}
    if [[ $(date -u +%F) > $end ]]; then
      warn "Kubernetes $1 reached upstream end of life on $end: it gets no more security fixes (newest supported minor: $DEFAULT_KUBERNETES_MINOR)"
    fi
  done
}

# Validates KUBERNETES_VERSION-style input ($2, named $1): 1.31 or 1.31.2 of a supported minor.
validate_kubernetes_version() {
  local name=$1 value=$2 minor
  [[ $value =~ ^v?(1\.[0-9]{1,2})(\.[0-9]{1,3})?$ ]] ||
    die "$name: '$value' is not a version (accepted: a Kubernetes version such as 1.31 or 1.31.2; supported minors: $SUPPORTED_KUBERNETES_MINORS)"
  minor=${BASH_REMATCH[1]}
  [[ " $SUPPORTED_KUBERNETES_MINORS " == *" $minor "* ]] ||
    die "$name: minor $minor is not supported (accepted: a Kubernetes version such as 1.31 or 1.31.2; supported minors: $SUPPORTED_KUBERNETES_MINORS)"
}

# ---- kubeadm steps (kubeadm-init.sh, kubeadm-join.sh, reset-node.sh) ----------------------------
# Masks anything shaped like a bootstrap token in a stream, line by line as it passes. Defence in
# depth: kubeadm is asked not to print tokens, and the orchestration masks the known secrets too.
mask_bootstrap_tokens() {
  perl -pe 'BEGIN { $| = 1 } s/(?<![a-z0-9])[a-z0-9]{6}\.[a-z0-9]{16}(?![a-z0-9])/****/g'
}

# The IPv4 address of the default route's interface: the address a node's API server advertises
# when none is given. Prints nothing when there is no default route.
default_route_address() {
  local dev
  dev=$(ip -4 route show default 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
  ip -4 -o addr show ${dev:+dev "$dev"} scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }'
}

# This node's IPv4 addresses, one per line: an address to advertise must be one of them.
local_ipv4_addresses() {
  ip -4 -o addr show 2>/dev/null | awk '{ split($4, a, "/"); print a[1] }'
}

# Masks the certificate key (the script's CERTIFICATE_KEY variable, handed to perl alone through its
# environment, never as an argument) in a stream, as mask_bootstrap_tokens does tokens.
mask_certificate_key() {
  CERTIFICATE_KEY=${CERTIFICATE_KEY:-} perl -pe 'BEGIN { $| = 1; $k = $ENV{CERTIFICATE_KEY} // "" } s/\Q$k\E/****/g if length $k'
}

# The SHA-256 of a certificate's public key, as --discovery-token-ca-cert-hash pins it.
ca_cert_hash() {
  openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER | openssl dgst -sha256 | awk '{ print $2 }'
}

# Seconds in a Go duration made of h, m and s parts (30m, 1h30m, 90s); fails for anything else.
duration_seconds() {
  [[ -n $1 && $1 =~ ^([0-9]+h)?([0-9]+m)?([0-9]+s)?$ ]] || return 1
  local h=${BASH_REMATCH[1]%h} m=${BASH_REMATCH[2]%m} s=${BASH_REMATCH[3]%s}
  printf '%d\n' $((10#${h:-0} * 3600 + 10#${m:-0} * 60 + 10#${s:-0}))
}

# The kubeadm config API for a kubeadm minor such as 1.31: v1beta4 from FIRST_V1BETA4_MINOR on.
kubeadm_api_version() {
  local minor=${1#1.}
  if ((10#$minor >= 10#${FIRST_V1BETA4_MINOR#1.})); then echo kubeadm.k8s.io/v1beta4; else echo kubeadm.k8s.io/v1beta3; fi
}

# The pause image PAUSE_IMAGES gives minor $1.
default_pause_image() {
  local entry
  for entry in $PAUSE_IMAGES; do
    if [[ ${entry%%=*} == "$1" ]]; then
      echo "${entry#*=}"
      return 0
    fi
  done
  die "no pause image known for Kubernetes $1"
}

# Appended to a failed kubeadm step's output: what an operator looks at by hand when init or join fails. The
# orchestration files everything after the "==> diagnostics" line as the step log's diagnostics.
# $1: optional file with kubeadm's own output at --v=5.
print_node_diagnostics() {
  local indent='s/^/    /'
  printf '==> diagnostics\n'
  printf -- '--- kubelet journal (last 60 lines)\n'
  { journalctl -u kubelet --no-pager -n 60 2>&1 || true; } | mask_bootstrap_tokens | sed "$indent"
  printf -- '--- containerd status\n'
  { systemctl status containerd --no-pager -l 2>&1 || true; } | head -n 20 | sed "$indent"
  printf -- '--- running containers\n'
  if command -v crictl >/dev/null 2>&1; then
    { crictl --runtime-endpoint "$CONTAINERD_CRI_SOCKET" ps -a 2>&1 || true; } | sed "$indent"
  else
    { ctr --address "${CONTAINERD_CRI_SOCKET#unix://}" -n k8s.io containers list 2>&1 || true; } | sed "$indent"
  fi
  if [[ -n ${1:-} && -s $1 ]]; then
    printf -- '--- kubeadm output at --v=5\n'
    mask_bootstrap_tokens <"$1" | mask_certificate_key | sed "$indent"
  fi
}

# kubeadm's own error on one line, from a file with its standard error: the "error execution
# phase" line with the preflight errors listed under it, else its last message line.
kubeadm_error() {
  local line
  line=$(awk '/^error execution phase/ { found = 1; msg = $0; next }
    found && /^\t\[ERROR / { sub(/^\t/, ""); msg = msg " " $0; next }
    found { exit }
    END { print msg }' "$1" 2>/dev/null)
  [[ -n $line ]] || line=$(kubeadm_messages "$1" | grep -v '^To see the stack trace' | tail -n 1)
  mask_bootstrap_tokens <<<"${line:-no error message}" | mask_certificate_key
}

# kubeadm's warnings and errors from a file with its standard error at --v=5, without the info
# lines and Go stack frames that verbosity adds.
kubeadm_messages() {
  grep -vE '^I[0-9]{4} |^[^ ]+$|^	[^ ]+:[0-9]+' "$1" 2>/dev/null | mask_bootstrap_tokens | mask_certificate_key || true
}

# IGNORE_PREFLIGHT_ERRORS (kubeadm-init.sh, kubeadm-join.sh): a comma list of kubeadm preflight
# check names, checked here; kubeadm_ignore_preflight_yaml prints them for nodeRegistration.
check_ignore_preflight_errors() {
  local check checks=()
  [[ -n ${IGNORE_PREFLIGHT_ERRORS:-} ]] || return 0
  IFS=',' read -r -a checks <<<"$IGNORE_PREFLIGHT_ERRORS"
  for check in "${checks[@]}"; do
    [[ $check =~ ^[A-Za-z][A-Za-z0-9-]{0,62}$ ]] ||
      die "IGNORE_PREFLIGHT_ERRORS: '$check' is not a kubeadm preflight check name (accepted: a comma list of names such as Swap,NumCPU or all)"
  done
}
kubeadm_ignore_preflight_yaml() { # as fields of nodeRegistration (two spaces in)
  local check checks=()
  [[ -n ${IGNORE_PREFLIGHT_ERRORS:-} ]] || return 0
  IFS=',' read -r -a checks <<<"$IGNORE_PREFLIGHT_ERRORS"
  printf '  ignorePreflightErrors:\n'
  for check in "${checks[@]}"; do printf '  - "%s"\n' "$check"; done
}
