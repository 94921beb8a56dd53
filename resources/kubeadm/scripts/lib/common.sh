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

# ---- kubelet, kubeadm and kubectl from a Kubernetes apt repository ------------------------------
# One repository per minor, its key re-fetched every run, the three packages held; used by
# install-runtime.sh and upgrade-node.sh, which set KUBERNETES_VERSION (a minor, or an exact release) first.

readonly KUBERNETES_KEYRING=/etc/apt/keyrings/kubernetes-apt-keyring.gpg
readonly KUBERNETES_SOURCES=/etc/apt/sources.list.d/kubernetes.list
readonly KUBERNETES_PACKAGES='kubelet kubeadm kubectl'
# Set by kubernetes_repository_settings, kubernetes_repository and kubernetes_package_version.
kubernetes_minor='' kubernetes_exact='' kubernetes_repository_changed=0 kubernetes_package=''

# Sets kubernetes_minor and kubernetes_exact (empty for a minor) from KUBERNETES_VERSION, and the
# repository and key URLs from KUBERNETES_APT_REPO and KUBERNETES_APT_KEY_URL or the minor's defaults;
# dies naming the variable when one is malformed.
kubernetes_repository_settings() {
  validate_kubernetes_version KUBERNETES_VERSION "$KUBERNETES_VERSION"
  KUBERNETES_VERSION=${KUBERNETES_VERSION#v}
  kubernetes_minor=$(cut -d. -f1,2 <<<"$KUBERNETES_VERSION")
  kubernetes_exact=''
  [[ $KUBERNETES_VERSION == "$kubernetes_minor" ]] || kubernetes_exact=$KUBERNETES_VERSION
  KUBERNETES_APT_REPO=${KUBERNETES_APT_REPO:-https://pkgs.k8s.io/core:/stable:/v$kubernetes_minor/deb/}
  [[ $KUBERNETES_APT_REPO =~ ^https?://[^][[:space:]\"\']+$ ]] ||
    die "KUBERNETES_APT_REPO: '$KUBERNETES_APT_REPO' is not a repository URL (accepted: an http:// or https:// URL without spaces, e.g. https://pkgs.k8s.io/core:/stable:/v$kubernetes_minor/deb/)"
  [[ $KUBERNETES_APT_REPO == */ ]] || KUBERNETES_APT_REPO="$KUBERNETES_APT_REPO/"
  KUBERNETES_APT_KEY_URL=${KUBERNETES_APT_KEY_URL:-${KUBERNETES_APT_REPO}Release.key}
  [[ $KUBERNETES_APT_KEY_URL =~ ^https?://[^[:space:]\"\']+$ ]] ||
    die "KUBERNETES_APT_KEY_URL: '$KUBERNETES_APT_KEY_URL' is not a URL (accepted: an http:// or https:// URL without spaces)"
}

# Points apt at KUBERNETES_APT_REPO (key and sources list written only when they changed) and reads
# its index when it changed or was never read.
kubernetes_repository() {
  log "Kubernetes apt repository $KUBERNETES_APT_REPO"
  local repo_changed=0 key_tmp keyring_tmp sources_tmp
  key_tmp=$(mktemp)
  # Re-fetched every run: the upstream key has expired and been replaced before.
  curl -fsSL --retry 3 --connect-timeout 20 "$KUBERNETES_APT_KEY_URL" -o "$key_tmp" ||
    die "cannot download the repository key from $KUBERNETES_APT_KEY_URL (set KUBERNETES_APT_KEY_URL for a mirror)"
  keyring_tmp=$(mktemp)
  if grep -q -- '-----BEGIN PGP PUBLIC KEY BLOCK-----' "$key_tmp"; then
    gpg --batch --yes --dearmor -o "$keyring_tmp" "$key_tmp" || die "the key at $KUBERNETES_APT_KEY_URL is not a valid PGP key"
  else
    cp "$key_tmp" "$keyring_tmp"
  fi
  rm -f "$key_tmp"
  install -d -m 0755 /etc/apt/keyrings
  if install_if_changed "$KUBERNETES_KEYRING" "$keyring_tmp" 0644; then repo_changed=1; note "key updated"; fi
  sources_tmp=$(mktemp)
  printf 'deb [signed-by=%s] %s /\n' "$KUBERNETES_KEYRING" "$KUBERNETES_APT_REPO" >"$sources_tmp"
  if install_if_changed "$KUBERNETES_SOURCES" "$sources_tmp" 0644; then repo_changed=1; note "$KUBERNETES_SOURCES written"; fi
  # The repository changed, or apt has never read it (apt then says "Unable to locate package kubelet").
  # (Both fill the cache here, in this shell: the $(...) calls after it run in subshells that inherit it.)
  kubernetes_repository_changed=$repo_changed
  if ((repo_changed)); then
    update_kubernetes_list
  else
    available_versions >/dev/null
    [[ -n $known_versions ]] || update_kubernetes_list
  fi
}

# apt-cache madison reads the whole package cache: asked once, and again only after an update.
versions_known=0 known_versions=''
update_kubernetes_list() {
  # Only this repository's index: the rest of the system's lists are left as they are.
  apt-get update -q -o Dir::Etc::sourcelist="$KUBERNETES_SOURCES" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 ||
    die "apt-get update failed for $KUBERNETES_APT_REPO"
  versions_known=0
  available_versions >/dev/null
}
available_versions() {
  if ((!versions_known)); then
    known_versions=$({ apt-cache madison kubeadm 2>/dev/null || true; } | awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
    versions_known=1
  fi
  [[ -z $known_versions ]] || printf '%s\n' "$known_versions"
}

# A package's installed version; empty when it is not installed (dpkg-query then exits 1).
installed_version() { { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null || true; } | awk '$3 == "installed" { print $4 }'; }

pick_version() {
  if [[ -n $kubernetes_exact ]]; then
    available_versions | grep -m1 -E "^${kubernetes_exact//./\\.}-" || true
  else
    available_versions | grep -m1 -E "^${kubernetes_minor//./\\.}\." || true
  fi
}

# Sets kubernetes_package to the package version KUBERNETES_VERSION stands for in the repository (a
# minor is satisfied by the patch release kubeadm already has); dies listing what the repository has
# when it has none. Called directly, not in $(...): its die is then the step's last word.
kubernetes_package_version() {
  local current found
  current=$(installed_version kubeadm)
  if [[ -z $kubernetes_exact && -n $current && $current == "$kubernetes_minor".* ]]; then
    kubernetes_package=$current
    return
  fi
  kubernetes_package=$(pick_version)
  if [[ -z $kubernetes_package && $kubernetes_repository_changed -eq 0 ]]; then
    update_kubernetes_list
    kubernetes_package=$(pick_version)
  fi
  if [[ -z $kubernetes_package ]]; then
    found=$(available_versions | tr '\n' ' ')
    die "Kubernetes $KUBERNETES_VERSION is not in $KUBERNETES_APT_REPO (available: ${found:-none})"
  fi
}

# Installs these of kubelet, kubeadm and kubectl at the package version $1 unless they have it, and
# holds all three (apt upgrade then leaves them alone).
install_kubernetes_packages() {
  local version=$1 pkg held
  shift
  local to_install=()
  for pkg in "$@"; do
    [[ $(installed_version "$pkg") == "$version" ]] || to_install+=("$pkg=$version")
  done
  if ((${#to_install[@]} == 0)); then
    note "$* $version: already installed"
  else
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends --allow-change-held-packages --allow-downgrades \
      "${to_install[@]}" || die "installing ${to_install[*]} from $KUBERNETES_APT_REPO failed"
  fi
  held=$(apt-mark showhold)
  for pkg in $KUBERNETES_PACKAGES; do
    [[ -z $(installed_version "$pkg") ]] || grep -qx "$pkg" <<<"$held" || apt-mark hold "$pkg" >/dev/null
  done
}
