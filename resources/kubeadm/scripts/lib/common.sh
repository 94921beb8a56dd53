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

# Kubernetes minors these scripts support, oldest first; the last is the default.
# core's KubernetesVersion.SUPPORTED_MINORS lists the same (a unit test keeps them in step).
SUPPORTED_KUBERNETES_MINORS="1.31 1.32 1.33 1.34 1.35"
# shellcheck disable=SC2034 # used by the scripts that source this file
DEFAULT_KUBERNETES_MINOR=1.35

# Validates KUBERNETES_VERSION-style input ($2, named $1): 1.31 or 1.31.2 of a supported minor.
validate_kubernetes_version() {
  local name=$1 value=$2 minor
  [[ $value =~ ^v?(1\.[0-9]{1,2})(\.[0-9]{1,3})?$ ]] ||
    die "$name: '$value' is not a version (accepted: a Kubernetes version such as 1.31 or 1.31.2; supported minors: $SUPPORTED_KUBERNETES_MINORS)"
  minor=${BASH_REMATCH[1]}
  [[ " $SUPPORTED_KUBERNETES_MINORS " == *" $minor "* ]] ||
    die "$name: minor $minor is not supported (accepted: a Kubernetes version such as 1.31 or 1.31.2; supported minors: $SUPPORTED_KUBERNETES_MINORS)"
}
