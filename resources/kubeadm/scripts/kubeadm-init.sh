#!/usr/bin/env bash
# kubeadmInit: makes a prepared node (prepareNode, installRuntime) the control plane from a kubeadm
# config file, leaves a control plane with the same settings alone, sets up a kubeconfig for the
# agent's user and writes a fresh short-lived join command to a root-only file, never to the output.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'USAGE'
Usage: sudo env VAR=value ... kubeadm-init.sh

Initializes this node as the Kubernetes control plane with `kubeadm init --config`. Idempotent: a
node that already runs a control plane with the same settings is left alone; one with different
settings fails and names each difference (resetNode, then kubeadmInit, rebuilds it).

Environment variables:
  POD_NETWORK_CIDR             pod network (default: 10.244.0.0/16, what Flannel expects)
  SERVICE_CIDR                 service network; must not overlap POD_NETWORK_CIDR (default: 10.96.0.0/12)
  APISERVER_ADVERTISE_ADDRESS  an IPv4 address of this node for the API server to advertise
                               (default: the address of the default route's interface)
  CONTROL_PLANE_ENDPOINT       optional stable HOST[:PORT] for the API server, e.g. a load balancer or
                               DNS name (default: none; nodes join APISERVER_ADVERTISE_ADDRESS:6443)
  KUBERNETES_VERSION           1.31 or 1.31.2, of the installed kubeadm's minor (default: the installed
                               kubeadm's version)
  CONTROL_PLANE_SCHEDULABLE    true removes the control-plane taint so that Pods run here too
                               (default: false)
  JOIN_TOKEN_TTL               lifetime of the fresh join token, 1m to 24h, e.g. 30m or 1h30m (default: 30m)
  JOIN_TOKEN_FILE              optional root-only file holding the bootstrap token to create
                               ([a-z0-9]{6}.[a-z0-9]{16}; default: a random one)
  CERTIFICATE_KEY_FILE         optional root-only file holding a certificate key (64 hex digits): the
                               control-plane certificates are uploaded, encrypted with it, for other
                               control planes to join with (kubeadm's --upload-certs; kubeadm deletes
                               them after two hours, and every run uploads them again). Needs
                               CONTROL_PLANE_ENDPOINT (default: not uploaded)
  JOIN_COMMAND_FILE            optional absolute path: the worker join command is written there,
                               root-only (mode 0600), and nowhere else (default: not written)
  IMAGE_REPOSITORY             optional registry (and path) kubeadm pulls the control-plane, etcd,
                               CoreDNS, kube-proxy and pause images from, as kubeadm's
                               imageRepository, e.g. 10.0.0.5:5000 or mirror.lab.example/k8s
                               (default: registry.k8s.io)
  ETCD_IMAGE_TAG               optional tag of the etcd image (default: the one kubeadm pins)
  COREDNS_IMAGE_TAG            optional tag of the CoreDNS image (default: the one kubeadm pins)
  IGNORE_PREFLIGHT_ERRORS      optional comma list of kubeadm preflight checks reported as warnings,
                               by name, e.g. Swap,NumCPU (default: none)

On a container node (LXC/LXD, Proxmox, systemd-nspawn), kube-proxy gets conntrack maxPerCore: 0:
the conntrack table size is the host's, which a container cannot set.

The kubelet gets containerd's CRI socket (unix:///var/run/containerd/containerd.sock) and the systemd
cgroup driver, as installRuntime configures containerd.
Prints "KUBEADM_INIT_RESULT state=initialized|unchanged endpoint=HOST:PORT ca_cert_hash=sha256:...
kubernetes_version=vX.Y.Z token_id=ID certificates_uploaded=true|false" as its last line.
USAGE
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"

POD_NETWORK_CIDR=${POD_NETWORK_CIDR:-10.244.0.0/16}
SERVICE_CIDR=${SERVICE_CIDR:-10.96.0.0/12}
APISERVER_ADVERTISE_ADDRESS=${APISERVER_ADVERTISE_ADDRESS:-}
CONTROL_PLANE_ENDPOINT=${CONTROL_PLANE_ENDPOINT:-}
KUBERNETES_VERSION=${KUBERNETES_VERSION:-}
CONTROL_PLANE_SCHEDULABLE=${CONTROL_PLANE_SCHEDULABLE:-false}
JOIN_TOKEN_TTL=${JOIN_TOKEN_TTL:-30m}
JOIN_TOKEN_FILE=${JOIN_TOKEN_FILE:-}
JOIN_COMMAND_FILE=${JOIN_COMMAND_FILE:-}
CERTIFICATE_KEY_FILE=${CERTIFICATE_KEY_FILE:-}
IMAGE_REPOSITORY=${IMAGE_REPOSITORY:-}
ETCD_IMAGE_TAG=${ETCD_IMAGE_TAG:-}
COREDNS_IMAGE_TAG=${COREDNS_IMAGE_TAG:-}
IGNORE_PREFLIGHT_ERRORS=${IGNORE_PREFLIGHT_ERRORS:-}

readonly KUBE_DIR=/etc/kubernetes
readonly MANIFESTS=$KUBE_DIR/manifests
readonly ADMIN_CONF=$KUBE_DIR/admin.conf
readonly CA_CERT=$KUBE_DIR/pki/ca.crt
readonly API_PORT=6443
readonly TOKEN_DESCRIPTION="join token made by kubeadm-pipeline kubeadmInit"

# ---- validation: everything is checked before anything is changed -------------------------------
ipv4_re='^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$'
dns_re='^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$'
cidr_form='an IPv4 CIDR such as 10.244.0.0/16 (network address, prefix 8-30)'
ipv4_value() { local IFS=. a b c d; read -r a b c d <<<"$1"; echo $(((a << 24) | (b << 16) | (c << 8) | d)); }
dotted() { printf '%d.%d.%d.%d' $((($1 >> 24) & 255)) $((($1 >> 16) & 255)) $((($1 >> 8) & 255)) $(($1 & 255)); }
# Checks a CIDR and prints "first last" (its addresses as numbers).
cidr_range() { # name value
  local name=$1 value=$2 ip prefix mask network
  [[ $value == */* ]] || die "$name: '$value' has no /prefix (accepted: $cidr_form)"
  ip=${value%/*}
  prefix=${value#*/}
  [[ $ip =~ $ipv4_re && $prefix =~ ^[0-9]{1,2}$ ]] && ((prefix >= 8 && prefix <= 30)) ||
    die "$name: '$value' is not an IPv4 CIDR (accepted: $cidr_form)"
  mask=$(((0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF))
  network=$(($(ipv4_value "$ip") & mask))
  [[ $network -eq $(ipv4_value "$ip") ]] ||
    die "$name: '$value' has host bits set; did you mean $(dotted "$network")/$prefix? (accepted: $cidr_form)"
  echo "$network $((network | (~mask & 0xFFFFFFFF)))"
}
pod_range=$(cidr_range POD_NETWORK_CIDR "$POD_NETWORK_CIDR") || exit 1
service_range=$(cidr_range SERVICE_CIDR "$SERVICE_CIDR") || exit 1
read -r pod_first pod_last <<<"$pod_range"
read -r service_first service_last <<<"$service_range"
if ((pod_first <= service_last && service_first <= pod_last)); then
  die "SERVICE_CIDR: $SERVICE_CIDR overlaps POD_NETWORK_CIDR $POD_NETWORK_CIDR (accepted: two CIDRs that share no address, e.g. the defaults 10.244.0.0/16 and 10.96.0.0/12)"
fi
if [[ -n $APISERVER_ADVERTISE_ADDRESS && ! $APISERVER_ADVERTISE_ADDRESS =~ $ipv4_re ]]; then
  die "APISERVER_ADVERTISE_ADDRESS: '$APISERVER_ADVERTISE_ADDRESS' is not an IPv4 address (accepted: an address of this node such as 192.168.1.10)"
fi
if [[ -n $CONTROL_PLANE_ENDPOINT ]]; then
  endpoint_host=${CONTROL_PLANE_ENDPOINT%:*}
  endpoint_port=$API_PORT
  [[ $CONTROL_PLANE_ENDPOINT == *:* ]] && endpoint_port=${CONTROL_PLANE_ENDPOINT##*:}
  if ! { [[ $endpoint_host =~ $ipv4_re || $endpoint_host =~ $dns_re ]] && [[ $endpoint_port =~ ^[0-9]{1,5}$ ]] && ((endpoint_port >= 1 && endpoint_port <= 65535)); }; then
    die "CONTROL_PLANE_ENDPOINT: '$CONTROL_PLANE_ENDPOINT' is not HOST[:PORT] (accepted: an IPv4 address or lower-case DNS name, optionally with a port 1-65535, e.g. cp.lab.example:6443)"
  fi
  [[ $CONTROL_PLANE_ENDPOINT == *:* ]] || CONTROL_PLANE_ENDPOINT="$CONTROL_PLANE_ENDPOINT:$API_PORT"
fi
[[ -z $KUBERNETES_VERSION ]] || validate_kubernetes_version KUBERNETES_VERSION "$KUBERNETES_VERSION"
KUBERNETES_VERSION=${KUBERNETES_VERSION#v}
case $CONTROL_PLANE_SCHEDULABLE in
  true|false) ;;
  *) die "CONTROL_PLANE_SCHEDULABLE: '$CONTROL_PLANE_SCHEDULABLE' is not a boolean (accepted: true | false)" ;;
esac
ttl_seconds=$(duration_seconds "$JOIN_TOKEN_TTL") && ((ttl_seconds >= 60 && ttl_seconds <= 86400)) ||
  die "JOIN_TOKEN_TTL: '$JOIN_TOKEN_TTL' is not a duration from 1m to 24h (accepted: hours, minutes and seconds such as 30m, 1h30m or 90s; a join token is short-lived by design)"
if [[ -n $JOIN_COMMAND_FILE ]]; then
  [[ $JOIN_COMMAND_FILE == /* && $JOIN_COMMAND_FILE != */ ]] ||
    die "JOIN_COMMAND_FILE: '$JOIN_COMMAND_FILE' is not an absolute file path (accepted: e.g. /root/kubeadm-join-command)"
  [[ -d $(dirname "$JOIN_COMMAND_FILE") ]] ||
    die "JOIN_COMMAND_FILE: the folder $(dirname "$JOIN_COMMAND_FILE") does not exist (accepted: a path in an existing folder)"
  [[ ! -d $JOIN_COMMAND_FILE ]] || die "JOIN_COMMAND_FILE: $JOIN_COMMAND_FILE is a folder (accepted: a file path)"
fi
if [[ -n $IMAGE_REPOSITORY ]]; then
  IMAGE_REPOSITORY=${IMAGE_REPOSITORY%/}
  [[ $IMAGE_REPOSITORY =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)*$ ]] ||
    die "IMAGE_REPOSITORY: '$IMAGE_REPOSITORY' is not an image repository (accepted: HOST[:PORT][/PATH] without a scheme, e.g. 10.0.0.5:5000 or mirror.lab.example/k8s)"
fi
for tag_var in ETCD_IMAGE_TAG COREDNS_IMAGE_TAG; do
  [[ -z ${!tag_var} || ${!tag_var} =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] ||
    die "$tag_var: '${!tag_var}' is not an image tag (accepted: letters, digits, '_', '.', '-', e.g. 3.5.16-0 or v1.11.3)"
done
check_ignore_preflight_errors

token=''
if [[ -n $JOIN_TOKEN_FILE ]]; then
  [[ -f $JOIN_TOKEN_FILE && -r $JOIN_TOKEN_FILE ]] || die "JOIN_TOKEN_FILE: $JOIN_TOKEN_FILE is not a readable file"
  [[ $(stat -c '%u %a' "$JOIN_TOKEN_FILE") =~ ^0\ [0-7]00$ ]] ||
    die "JOIN_TOKEN_FILE: $JOIN_TOKEN_FILE must be owned by root and readable by root only (chmod 600)"
  IFS= read -r token <"$JOIN_TOKEN_FILE" || true
  [[ $token =~ ^[a-z0-9]{6}\.[a-z0-9]{16}$ ]] ||
    die "JOIN_TOKEN_FILE: the file does not hold a bootstrap token (accepted: one line [a-z0-9]{6}.[a-z0-9]{16}; content not shown)"
fi
CERTIFICATE_KEY=''
if [[ -n $CERTIFICATE_KEY_FILE ]]; then
  [[ -n $CONTROL_PLANE_ENDPOINT ]] ||
    die "CERTIFICATE_KEY_FILE: control planes can only join a cluster with a stable CONTROL_PLANE_ENDPOINT, and none is set"
  [[ -f $CERTIFICATE_KEY_FILE && -r $CERTIFICATE_KEY_FILE ]] || die "CERTIFICATE_KEY_FILE: $CERTIFICATE_KEY_FILE is not a readable file"
  [[ $(stat -c '%u %a' "$CERTIFICATE_KEY_FILE") =~ ^0\ [0-7]00$ ]] ||
    die "CERTIFICATE_KEY_FILE: $CERTIFICATE_KEY_FILE must be owned by root and readable by root only (chmod 600)"
  IFS= read -r CERTIFICATE_KEY <"$CERTIFICATE_KEY_FILE" || true
  [[ $CERTIFICATE_KEY =~ ^[0-9a-f]{64}$ ]] ||
    die "CERTIFICATE_KEY_FILE: the file does not hold a certificate key (accepted: one line of 64 lower-case hex digits; content not shown)"
fi

require_root
take_node_lock
require_supported_os
command -v kubeadm >/dev/null 2>&1 || die "kubeadm is not installed (run installRuntime first)"
installed_version=$(kubeadm version -o short 2>/dev/null) || die "'kubeadm version' failed (run installRuntime again)"
[[ $installed_version =~ ^v(1\.[0-9]+)\.[0-9]+ ]] || die "kubeadm reports an unexpected version '$installed_version'"
installed_minor=${BASH_REMATCH[1]}
warn_if_end_of_life "$installed_minor"
if [[ -z $KUBERNETES_VERSION ]]; then
  control_plane_version=$installed_version
elif [[ ${KUBERNETES_VERSION%.*} == "$installed_minor" && $KUBERNETES_VERSION == *.*.* ]]; then
  control_plane_version=v$KUBERNETES_VERSION
elif [[ $KUBERNETES_VERSION == "$installed_minor" ]]; then
  control_plane_version=$installed_version
else
  die "KUBERNETES_VERSION: $KUBERNETES_VERSION does not match the installed kubeadm $installed_version (run installRuntime with KUBERNETES_VERSION=$KUBERNETES_VERSION first)"
fi
if [[ -z $APISERVER_ADVERTISE_ADDRESS ]]; then
  APISERVER_ADVERTISE_ADDRESS=$(default_route_address)
  [[ -n $APISERVER_ADVERTISE_ADDRESS ]] ||
    die "APISERVER_ADVERTISE_ADDRESS: this node has no default route to take its address from (set APISERVER_ADVERTISE_ADDRESS)"
fi
local_addresses=$(local_ipv4_addresses)
grep -qxF "$APISERVER_ADVERTISE_ADDRESS" <<<"$local_addresses" ||
  die "APISERVER_ADVERTISE_ADDRESS: $APISERVER_ADVERTISE_ADDRESS is not an address of this node (its addresses: $(tr '\n' ' ' <<<"$local_addresses"))"
endpoint=${CONTROL_PLANE_ENDPOINT:-$APISERVER_ADVERTISE_ADDRESS:$API_PORT}
api_version=$(kubeadm_api_version "$installed_minor")
in_container=0
if systemd-detect-virt --container --quiet 2>/dev/null; then in_container=1; fi

# Secrets live in a root-only folder that is removed however the script ends; kubeadm's own
# verbose output is kept there too, for the diagnostics.
umask 077
work=$(mktemp -d)
kubeadm_log=$work/kubeadm.log
diagnose=0
reset_on_failure=0
on_exit() {
  local status=$?
  rm -f "$work"/*.yaml
  if ((status != 0 && diagnose)); then
    print_node_diagnostics "$kubeadm_log" || true
    if ((reset_on_failure)); then
      printf -- '--- cleaning up the failed init with kubeadm reset -f, so that the next attempt starts clean\n'
      kubeadm reset -f 2>&1 | mask_bootstrap_tokens | sed 's/^/    /' || true
    fi
  fi
  rm -rf "$work"
}
trap on_exit EXIT

show_kubeadm_messages() { kubeadm_messages "$kubeadm_log" >&2; }

bootstrap_token_yaml() { # the InitConfiguration's bootstrapTokens entry; printf is a builtin, so the token never becomes an argument
  printf 'bootstrapTokens:\n- token: "%s"\n  ttl: "%ss"\n  description: "%s"\n  usages:\n  - signing\n  - authentication\n  groups:\n  - system:bootstrappers:kubeadm:default-node-token\n' \
    "$1" "$ttl_seconds" "$TOKEN_DESCRIPTION"
}

manifest_flag() { sed -nE "s/^[[:space:]]*- --$2=(.*)$/\1/p" "$1" 2>/dev/null | head -n 1; }
api_ready() { curl -fsS --max-time 5 --cacert "$CA_CERT" "https://$APISERVER_ADVERTISE_ADDRESS:$API_PORT/readyz" >/dev/null 2>&1; }

# ---- what the node runs now -------------------------------------------------------------------
state=initialized
if [[ -f $MANIFESTS/kube-apiserver.yaml ]]; then
  log "existing control plane: comparing its settings"
  differences=()
  differ() { # name running requested
    [[ $2 == "$3" ]] || differences+=("$1 is ${2:-unset} on the running control plane, ${3:-unset} requested")
  }
  differ POD_NETWORK_CIDR "$(manifest_flag "$MANIFESTS/kube-controller-manager.yaml" cluster-cidr)" "$POD_NETWORK_CIDR"
  differ SERVICE_CIDR "$(manifest_flag "$MANIFESTS/kube-apiserver.yaml" service-cluster-ip-range)" "$SERVICE_CIDR"
  differ APISERVER_ADVERTISE_ADDRESS "$(manifest_flag "$MANIFESTS/kube-apiserver.yaml" advertise-address)" "$APISERVER_ADVERTISE_ADDRESS"
  running_endpoint=$(sed -nE 's#^[[:space:]]*server: https://(.*)$#\1#p' "$ADMIN_CONF" 2>/dev/null | head -n 1)
  differ "CONTROL_PLANE_ENDPOINT (the API server address nodes join)" "$running_endpoint" "$endpoint"
  running_version=$(sed -nE 's#^[[:space:]]*image: .*/kube-apiserver:(v[^[:space:]]+)$#\1#p' "$MANIFESTS/kube-apiserver.yaml" | head -n 1)
  if [[ $KUBERNETES_VERSION == *.*.* ]]; then
    differ KUBERNETES_VERSION "$running_version" "$control_plane_version"
  else
    # A minor (or the default) is satisfied by any patch release of it.
    running_minor=$(sed -nE 's/^v(1\.[0-9]+)\..*$/\1/p' <<<"$running_version")
    differ "KUBERNETES_VERSION (minor)" "$running_minor" "$installed_minor"
  fi
  running_repository=$(sed -nE 's#^[[:space:]]*image: (.*)/kube-apiserver:v[^[:space:]]+$#\1#p' "$MANIFESTS/kube-apiserver.yaml" | head -n 1)
  differ IMAGE_REPOSITORY "$running_repository" "${IMAGE_REPOSITORY:-registry.k8s.io}"
  differ "CRI socket" "$(sed -nE 's/.*--container-runtime-endpoint=([^" ]+).*/\1/p' /var/lib/kubelet/kubeadm-flags.env 2>/dev/null)" "$CONTAINERD_CRI_SOCKET"
  differ "kubelet cgroup driver" "$(sed -nE 's/^cgroupDriver: (.*)$/\1/p' /var/lib/kubelet/config.yaml 2>/dev/null)" systemd
  if ((${#differences[@]} > 0)); then
    joined=$(printf '%s; ' "${differences[@]}")
    die "this node already runs a control plane with different settings: ${joined%; } (to rebuild it with the new settings, run resetNode on every node of the cluster, then kubeadmInit)"
  fi
  note "same settings: left as it is"
  state=unchanged
  diagnose=1
  for _ in $(seq 1 60); do api_ready && break; sleep 1; done
  api_ready || die "the control plane on this node does not answer at https://$APISERVER_ADVERTISE_ADDRESS:$API_PORT/readyz"
elif [[ -f $KUBE_DIR/kubelet.conf ]]; then
  server=$(sed -nE 's#^[[:space:]]*server: (.*)$#\1#p' "$KUBE_DIR/kubelet.conf" | head -n 1)
  die "this node already joined the cluster at ${server:-an unknown API server} as a worker (run resetNode on it first to make it a control plane)"
fi

[[ -n $token ]] || token=$(kubeadm token generate 2>/dev/null) || die "'kubeadm token generate' failed"
[[ $token =~ ^[a-z0-9]{6}\.[a-z0-9]{16}$ ]] || die "'kubeadm token generate' did not print a bootstrap token"
token_id=${token%%.*}

# ---- kubeadm init ----------------------------------------------------------------------------
if [[ $state == initialized ]]; then
  log "kubeadm init (Kubernetes $control_plane_version, config $api_version)"
  config=$work/kubeadm-config.yaml
  {
    printf 'apiVersion: %s\nkind: InitConfiguration\n' "$api_version"
    bootstrap_token_yaml "$token"
    [[ -z $CERTIFICATE_KEY ]] || printf 'certificateKey: "%s"\n' "$CERTIFICATE_KEY"
    printf 'localAPIEndpoint:\n  advertiseAddress: "%s"\n  bindPort: %s\n' "$APISERVER_ADVERTISE_ADDRESS" "$API_PORT"
    printf 'nodeRegistration:\n  criSocket: "%s"\n' "$CONTAINERD_CRI_SOCKET"
    kubeadm_ignore_preflight_yaml
    printf -- '---\napiVersion: %s\nkind: ClusterConfiguration\nkubernetesVersion: "%s"\n' "$api_version" "$control_plane_version"
    [[ -z $CONTROL_PLANE_ENDPOINT ]] || printf 'controlPlaneEndpoint: "%s"\n' "$CONTROL_PLANE_ENDPOINT"
    [[ -z $IMAGE_REPOSITORY ]] || printf 'imageRepository: "%s"\n' "$IMAGE_REPOSITORY"
    [[ -z $ETCD_IMAGE_TAG ]] || printf 'etcd:\n  local:\n    imageTag: "%s"\n' "$ETCD_IMAGE_TAG"
    [[ -z $COREDNS_IMAGE_TAG ]] || printf 'dns:\n  imageTag: "%s"\n' "$COREDNS_IMAGE_TAG"
    printf 'networking:\n  podSubnet: "%s"\n  serviceSubnet: "%s"\n' "$POD_NETWORK_CIDR" "$SERVICE_CIDR"
    printf -- '---\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n'
    if ((in_container)); then
      # The conntrack table is the host's: kube-proxy must not try to size it.
      printf -- '---\napiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nconntrack:\n  maxPerCore: 0\n'
    fi
  } >"$config"
  note "kubeadm config (the token and certificate key shown masked):"
  mask_bootstrap_tokens <"$config" | mask_certificate_key | sed 's/^/      /'
  # kubeadm's preflight pulls the control-plane images one after another; pulled side by side first,
  # they arrive sooner and preflight finds them present. Best effort: a pull that fails here is
  # retried, and reported, by kubeadm's own preflight.
  if command -v crictl >/dev/null 2>&1 && images=$(kubeadm config images list --config "$config" 2>/dev/null) && [[ -n $images ]]; then
    log "control-plane images pulled in parallel"
    for image in $images; do
      crictl --runtime-endpoint "$CONTAINERD_CRI_SOCKET" pull "$image" >/dev/null 2>&1 || true &
    done
    wait
    note "$(wc -w <<<"$images") images"
  fi
  diagnose=1
  reset_on_failure=1
  # --skip-token-print and --skip-certificate-key-print: the secrets stay out of kubeadm's output;
  # --v=5 output goes to the log file.
  upload_certs=()
  [[ -z $CERTIFICATE_KEY ]] || upload_certs=(--upload-certs --skip-certificate-key-print)
  if kubeadm init --config "$config" --skip-token-print "${upload_certs[@]}" --v=5 2>"$kubeadm_log" | mask_bootstrap_tokens | mask_certificate_key; then
    rm -f "$config"
    show_kubeadm_messages
  else
    rm -f "$config"
    show_kubeadm_messages
    die "kubeadm init failed: $(kubeadm_error "$kubeadm_log")"
  fi
  reset_on_failure=0
  for _ in $(seq 1 60); do api_ready && break; sleep 1; done
  api_ready || die "the API server does not answer at https://$APISERVER_ADVERTISE_ADDRESS:$API_PORT/readyz after kubeadm init"
else
  # A fresh token for this run: kubeadm reads it from a config file, not from its command line.
  log "fresh join token (valid $JOIN_TOKEN_TTL)"
  config=$work/token-config.yaml
  { printf 'apiVersion: %s\nkind: InitConfiguration\n' "$api_version"; bootstrap_token_yaml "$token"; } >"$config"
  # Its standard output is the token itself: discarded.
  if kubeadm token create --config "$config" --v=5 >/dev/null 2>"$kubeadm_log"; then
    rm -f "$config"
  else
    rm -f "$config"
    show_kubeadm_messages
    die "kubeadm token create failed: $(kubeadm_error "$kubeadm_log")"
  fi
  note "token $token_id.**** created"
  if [[ -n $CERTIFICATE_KEY ]]; then
    # kubeadm deletes the uploaded certificates two hours after an upload: a fresh upload for the
    # control planes that join in this run.
    log "control-plane certificates uploaded for joining control planes (kubeadm deletes them in 2 h)"
    config=$work/upload-certs.yaml
    {
      printf 'apiVersion: %s\nkind: InitConfiguration\ncertificateKey: "%s"\n' "$api_version" "$CERTIFICATE_KEY"
      printf 'nodeRegistration:\n  criSocket: "%s"\n' "$CONTAINERD_CRI_SOCKET"
      printf -- '---\napiVersion: %s\nkind: ClusterConfiguration\nkubernetesVersion: "%s"\ncontrolPlaneEndpoint: "%s"\n' \
        "$api_version" "$running_version" "$CONTROL_PLANE_ENDPOINT"
    } >"$config"
    if kubeadm init phase upload-certs --upload-certs --skip-certificate-key-print --config "$config" --v=5 2>"$kubeadm_log" |
      mask_bootstrap_tokens | mask_certificate_key >/dev/null; then
      rm -f "$config"
      note "uploaded"
    else
      rm -f "$config"
      show_kubeadm_messages
      die "kubeadm init phase upload-certs failed: $(kubeadm_error "$kubeadm_log")"
    fi
  fi
fi

# ---- kubeconfig for the agent's user ---------------------------------------------------------
target_user=root
if [[ -n ${SUDO_USER:-} && $SUDO_USER != root ]] && id "$SUDO_USER" >/dev/null 2>&1; then target_user=$SUDO_USER; fi
target_home=$(getent passwd "$target_user" | cut -d: -f6)
target_group=$(id -gn "$target_user")
log "kubeconfig for $target_user in $target_home/.kube/config"
[[ -n $target_home && -d $target_home ]] || die "the home folder of $target_user ('$target_home') does not exist"
if [[ ! -d $target_home/.kube ]]; then
  install -d -m 0700 -o "$target_user" -g "$target_group" "$target_home/.kube"
fi
kubeconfig=$target_home/.kube/config
if [[ -f $kubeconfig && ! -L $kubeconfig ]] && cmp -s "$ADMIN_CONF" "$kubeconfig" &&
  [[ $(stat -c '%U %a' "$kubeconfig") == "$target_user 600" ]]; then
  note "unchanged"
else
  install -m 0600 -o "$target_user" -g "$target_group" "$ADMIN_CONF" "$kubeconfig"
  note "written (owner $target_user, mode 0600)"
fi

# ---- control-plane taint -----------------------------------------------------------------------
node_name=$(hostname | tr '[:upper:]' '[:lower:]')
if [[ $CONTROL_PLANE_SCHEDULABLE == true ]]; then
  log "control-plane taint off (CONTROL_PLANE_SCHEDULABLE=true)"
  taints=$(kubectl --kubeconfig="$ADMIN_CONF" get node "$node_name" -o 'jsonpath={.spec.taints[*].key}')
  removed=0
  for key in node-role.kubernetes.io/control-plane node-role.kubernetes.io/master; do
    if [[ " $taints " == *" $key "* ]]; then
      kubectl --kubeconfig="$ADMIN_CONF" taint nodes "$node_name" "$key:NoSchedule-" >/dev/null
      note "removed $key:NoSchedule"
      removed=1
    fi
  done
  ((removed)) || note "already off"
fi

# ---- join command ------------------------------------------------------------------------------
hash=$(ca_cert_hash "$CA_CERT")
[[ $hash =~ ^[0-9a-f]{64}$ ]] || die "could not compute the CA certificate hash of $CA_CERT"
join_endpoint=$(sed -nE 's#^[[:space:]]*server: https://(.*)$#\1#p' "$ADMIN_CONF" | head -n 1)
join_endpoint=${join_endpoint:-$endpoint}
if [[ -n $JOIN_COMMAND_FILE ]]; then
  log "join command for workers"
  # Written beside the target and moved over it: the file is root-only (0600) from its first byte.
  tmp=$(mktemp "$(dirname "$JOIN_COMMAND_FILE")/.kubeadm-join-command.XXXXXXXX")
  printf 'kubeadm join %s --token %s --discovery-token-ca-cert-hash sha256:%s\n' "$join_endpoint" "$token" "$hash" >"$tmp"
  chown root:root "$tmp"
  chmod 0600 "$tmp"
  mv -f "$tmp" "$JOIN_COMMAND_FILE"
  note "written to $JOIN_COMMAND_FILE (root-only); token $token_id.**** expires in $JOIN_TOKEN_TTL"
else
  note "JOIN_COMMAND_FILE not set: token $token_id.**** created (expires in $JOIN_TOKEN_TTL), no join command written"
fi
token=''

printf 'KUBEADM_INIT_RESULT state=%s endpoint=%s ca_cert_hash=sha256:%s kubernetes_version=%s token_id=%s certificates_uploaded=%s\n' \
  "$state" "$join_endpoint" "$hash" "$(sed -nE 's#^[[:space:]]*image: .*/kube-apiserver:(v[^[:space:]]+)$#\1#p' "$MANIFESTS/kube-apiserver.yaml" | head -n 1)" "$token_id" \
  "$([[ -n $CERTIFICATE_KEY ]] && echo true || echo false)"
CERTIFICATE_KEY=''

