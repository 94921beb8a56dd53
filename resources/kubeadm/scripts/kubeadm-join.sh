#!/usr/bin/env bash
# joinWorkers, and kubeadmInit's further control planes: joins a prepared node (prepareNode,
# installRuntime) to a cluster as a worker, or as a control plane when the join command says so. The join
# command comes from a root-only file or standard input, never from arguments or the environment,
# and reaches kubeadm as a root-only JoinConfiguration file that is removed afterwards.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'USAGE'
Usage: sudo env VAR=value ... kubeadm-join.sh [< join-command-file]

Joins this node to a Kubernetes cluster as a worker with `kubeadm join --config`; with
--control-plane and --certificate-key in the join command, as one more control plane, which then
waits until its etcd member and API server are healthy (at most CONTROL_PLANE_READY_TIMEOUT_SECONDS of
lib/defaults.env). Idempotent: a node already joined to the cluster the join command names, in the
same role, succeeds without change; a node joined to another cluster, or in the other role, fails
with that reason (resetNode first to move it).

Input: the join command that `kubeadm token create --print-join-command` or kubeadmInit
(JOIN_COMMAND_FILE) produces: kubeadm join HOST:PORT --token ... --discovery-token-ca-cert-hash sha256:...
[--control-plane --certificate-key KEY]
It is read from JOIN_COMMAND_FILE or, when that is not set, from standard input.

Environment variables:
  JOIN_COMMAND_FILE       optional root-only file (mode 0600) holding the join command
                          (default: read standard input)
  JOIN_DISCOVERY_TIMEOUT  how long kubeadm keeps trying to validate the API server with the token,
                          e.g. 1m or 90s, at most 1h (default: 1m)
  IGNORE_PREFLIGHT_ERRORS optional comma list of kubeadm preflight checks reported as warnings, by
                          name, e.g. Swap,NumCPU (default: none)
  APISERVER_ADVERTISE_ADDRESS  a control plane's own API server address, an IPv4 address of this
                          node (default: the address of the default route's interface)
  WAIT_FOR_READY          true: after joining, wait until this node is Ready (it needs the cluster's
                          pod network), at most NODE_READY_TIMEOUT_SECONDS of lib/defaults.env
                          (default: false)

Prints "KUBEADM_JOIN_RESULT state=joined|unchanged endpoint=HOST:PORT ca_cert_hash=sha256:...
control_plane=true|false" as its last line: the API server and CA this node now trusts, and its role.
USAGE
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"

JOIN_COMMAND_FILE=${JOIN_COMMAND_FILE:-}
JOIN_DISCOVERY_TIMEOUT=${JOIN_DISCOVERY_TIMEOUT:-1m}
IGNORE_PREFLIGHT_ERRORS=${IGNORE_PREFLIGHT_ERRORS:-}
WAIT_FOR_READY=${WAIT_FOR_READY:-false}
APISERVER_ADVERTISE_ADDRESS=${APISERVER_ADVERTISE_ADDRESS:-}

readonly KUBE_DIR=/etc/kubernetes
readonly KUBELET_CONF=$KUBE_DIR/kubelet.conf
readonly CA_CERT=$KUBE_DIR/pki/ca.crt

# ---- validation: everything is checked before anything is changed -------------------------------
discovery_seconds=$(duration_seconds "$JOIN_DISCOVERY_TIMEOUT") && ((discovery_seconds >= 1 && discovery_seconds <= 3600)) ||
  die "JOIN_DISCOVERY_TIMEOUT: '$JOIN_DISCOVERY_TIMEOUT' is not a duration from 1s to 1h (accepted: hours, minutes and seconds such as 1m or 90s)"

check_ignore_preflight_errors
[[ $WAIT_FOR_READY == true || $WAIT_FOR_READY == false ]] || die "WAIT_FOR_READY: '$WAIT_FOR_READY' is not true or false (accepted: true or false)"

source_name='standard input'
if [[ -n $JOIN_COMMAND_FILE ]]; then
  source_name=JOIN_COMMAND_FILE
  [[ -f $JOIN_COMMAND_FILE && -r $JOIN_COMMAND_FILE ]] || die "JOIN_COMMAND_FILE: $JOIN_COMMAND_FILE is not a readable file"
  [[ $(stat -c '%u %a' "$JOIN_COMMAND_FILE") =~ ^0\ [0-7]00$ ]] ||
    die "JOIN_COMMAND_FILE: $JOIN_COMMAND_FILE must be owned by root and readable by root only (chmod 600)"
  join_text=$(head -c 65536 "$JOIN_COMMAND_FILE")
elif [[ -t 0 ]]; then
  die "no join command: set JOIN_COMMAND_FILE or pass the command on standard input"
else
  join_text=$(head -c 65536)
fi

# Parses the join command into endpoint, token and hashes. Messages never repeat a value from the
# command: any word of a garbled command may be the secret.
bad_command() { die "$source_name does not hold a usable kubeadm join command: $1 (accepted: kubeadm join HOST:PORT --token [a-z0-9]{6}.[a-z0-9]{16} --discovery-token-ca-cert-hash sha256:<64 hex digits> [--control-plane --certificate-key <64 hex digits>]; values not shown)"; }
# A backslash at the end of a line continues it, as in kubeadm init's output.
join_text=$(sed -E ':a; /\\[[:space:]]*$/ { N; s/\\[[:space:]]*\n/ /; ba }' <<<"$join_text")
join_count=$(grep -oE '(^|[^A-Za-z0-9_-])kubeadm[[:space:]]+join([[:space:]]|$)' <<<"$join_text" | wc -l)
((join_count == 1)) || { ((join_count == 0)) && bad_command "no 'kubeadm join' found"; bad_command "$join_count 'kubeadm join' commands found where one was expected"; }
join_line=$(grep -E '(^|[^A-Za-z0-9_-])kubeadm[[:space:]]+join([[:space:]]|$)' <<<"$join_text")
join_args=${join_line#*kubeadm}
join_args=${join_args#*join}
read -r -a words <<<"$join_args"
endpoint='' token='' control_plane=false CERTIFICATE_KEY=''
hashes=()
for ((i = 0; i < ${#words[@]}; i++)); do
  word=${words[i]}
  flag=${word%%=*}
  value=''
  if [[ $word == --*=* ]]; then value=${word#*=}; elif [[ $word == --* ]] && ((i + 1 < ${#words[@]})) && [[ ${words[i + 1]} != --* ]]; then value=${words[i + 1]}; fi
  case $flag in
    --token|--discovery-token)
      [[ -z $token ]] || bad_command "--token given more than once"
      [[ -n $value ]] || bad_command "--token has no value"
      token=$value
      [[ $word == *=* ]] || i=$((i + 1)) ;;
    --discovery-token-ca-cert-hash)
      [[ -n $value ]] || bad_command "--discovery-token-ca-cert-hash has no value"
      IFS=, read -r -a more <<<"$value"
      hashes+=("${more[@]}")
      [[ $word == *=* ]] || i=$((i + 1)) ;;
    --control-plane)
      [[ $word == "$flag" ]] || bad_command "--control-plane takes no value"
      control_plane=true ;;
    --certificate-key)
      [[ -z $CERTIFICATE_KEY ]] || bad_command "--certificate-key given more than once"
      [[ -n $value ]] || bad_command "--certificate-key has no value"
      CERTIFICATE_KEY=$value
      [[ $word == *=* ]] || i=$((i + 1)) ;;
    --discovery-token-unsafe-skip-ca-verification)
      bad_command "--discovery-token-unsafe-skip-ca-verification is refused: the CA must be pinned with --discovery-token-ca-cert-hash" ;;
    --*)
      if [[ $flag =~ ^--[a-z0-9][a-z0-9-]{0,62}$ ]]; then bad_command "unsupported flag $flag"; else bad_command "unexpected word at position $((i + 1))"; fi ;;
    *)
      [[ -z $endpoint ]] || bad_command "unexpected extra argument at position $((i + 1))"
      endpoint=$word ;;
  esac
done
[[ -n $endpoint ]] || bad_command "the API server endpoint (HOST:PORT) is missing"
[[ -n $token ]] || bad_command "--token is missing"
((${#hashes[@]} > 0)) || bad_command "--discovery-token-ca-cert-hash is missing; joining without pinning the CA is refused"
ipv4_re='^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$'
dns_re='^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$'
endpoint_host=${endpoint%:*}
endpoint_port=${endpoint##*:}
[[ $endpoint == *:* && ( $endpoint_host =~ $ipv4_re || $endpoint_host =~ $dns_re || $endpoint_host =~ ^\[[0-9A-Fa-f:.]+\]$ ) ]] ||
  bad_command "the API server endpoint is not HOST:PORT"
[[ ! $endpoint_host =~ ^[a-z0-9]{6}\.[a-z0-9]{16}$ ]] || bad_command "the API server endpoint has the form of a bootstrap token"
[[ $endpoint_port =~ ^[0-9]{1,5}$ ]] && ((endpoint_port >= 1 && endpoint_port <= 65535)) || bad_command "the API server endpoint port is not 1-65535"
[[ $token =~ ^[a-z0-9]{6}\.[a-z0-9]{16}$ ]] || bad_command "the token is not of the form [a-z0-9]{6}.[a-z0-9]{16}"
for ((i = 0; i < ${#hashes[@]}; i++)); do
  [[ ${hashes[i]} =~ ^sha256:[0-9a-fA-F]{64}$ ]] || bad_command "CA cert hash #$((i + 1)) is not of the form sha256:<64 hex digits>"
  hashes[i]=${hashes[i],,}
done
if [[ -n $CERTIFICATE_KEY ]]; then
  [[ $control_plane == true ]] || bad_command "--certificate-key without --control-plane"
  [[ $CERTIFICATE_KEY =~ ^[0-9a-f]{64}$ ]] || bad_command "the certificate key is not 64 lower-case hex digits"
elif [[ $control_plane == true ]]; then
  bad_command "--control-plane without --certificate-key: the control-plane certificates come from the cluster, encrypted with that key"
fi
token_id=${token%%.*}
join_text='' join_line='' join_args=''
words=()
if [[ $control_plane == true && -n $APISERVER_ADVERTISE_ADDRESS && ! $APISERVER_ADVERTISE_ADDRESS =~ $ipv4_re ]]; then
  die "APISERVER_ADVERTISE_ADDRESS: '$APISERVER_ADVERTISE_ADDRESS' is not an IPv4 address (accepted: an address of this node such as 192.168.1.11)"
fi

require_root
take_node_lock
require_supported_os
command -v kubeadm >/dev/null 2>&1 || die "kubeadm is not installed (run installRuntime first)"
installed_version=$(kubeadm version -o short 2>/dev/null) || die "'kubeadm version' failed (run installRuntime again)"
[[ $installed_version =~ ^v(1\.[0-9]+)\. ]] || die "kubeadm reports an unexpected version '$installed_version'"
api_version=$(kubeadm_api_version "${BASH_REMATCH[1]}")
if [[ $control_plane == true ]]; then
  [[ -n $APISERVER_ADVERTISE_ADDRESS ]] || APISERVER_ADVERTISE_ADDRESS=$(default_route_address)
  [[ -n $APISERVER_ADVERTISE_ADDRESS ]] ||
    die "APISERVER_ADVERTISE_ADDRESS: this node has no default route to take its address from (set APISERVER_ADVERTISE_ADDRESS)"
  local_ipv4_addresses | grep -qxF "$APISERVER_ADVERTISE_ADDRESS" ||
    die "APISERVER_ADVERTISE_ADDRESS: $APISERVER_ADVERTISE_ADDRESS is not an address of this node"
fi

server_of() { sed -nE 's#^[[:space:]]*server: https://(.*)$#\1#p' "$1" 2>/dev/null | head -n 1; }
# The CA this node trusts: the one in kubelet.conf, else the one kubeadm join left in the pki folder.
trusted_ca_hash() {
  local data tmp
  data=$(sed -nE 's/^[[:space:]]*certificate-authority-data: (.*)$/\1/p' "$KUBELET_CONF" 2>/dev/null | head -n 1)
  if [[ -n $data ]]; then
    tmp=$(mktemp)
    base64 -d <<<"$data" >"$tmp" 2>/dev/null && ca_cert_hash "$tmp" 2>/dev/null || true
    rm -f "$tmp"
  elif [[ -f $CA_CERT ]]; then
    ca_cert_hash "$CA_CERT" 2>/dev/null || true
  fi
}
pinned() { local h; for h in "${hashes[@]}"; do [[ $h == "sha256:$1" ]] && return 0; done; return 1; }
wait_for_kubelet() {
  for _ in $(seq 1 60); do
    systemctl is-active --quiet kubelet && return 0
    sleep 1
  done
  return 1
}

# This node as the API server knows it: the kubelet's client certificate names it (CN=system:node:NAME).
node_name() {
  openssl x509 -in /var/lib/kubelet/pki/kubelet-client-current.pem -noout -subject 2>/dev/null | sed -nE 's/.*CN ?= ?system:node:([^,/ ]+).*/\1/p'
}

# With WAIT_FOR_READY=true: waits until this node's Ready condition is True, reading its own Node with
# the kubelet's credentials (the node authorizer lets a kubelet read its own Node).
wait_until_ready() {
  [[ $WAIT_FOR_READY == true ]] || return 0
  local name ready='' waited=0
  name=$(node_name)
  [[ -n $name ]] || die "cannot tell this node's name from the kubelet's client certificate"
  log "waiting until node $name is Ready (at most ${NODE_READY_TIMEOUT_SECONDS}s)"
  while ((waited < NODE_READY_TIMEOUT_SECONDS)); do
    ready=$(kubectl --kubeconfig "$KUBELET_CONF" get node "$name" -o jsonpath='{range .status.conditions[?(@.type=="Ready")]}{.status} {.reason}: {.message}{end}' 2>&1 || true)
    if [[ $ready == True\ * ]]; then
      note "Ready after ${waited}s"
      return 0
    fi
    ((waited % 15 == 0)) && note "not Ready yet after ${waited}s: ${ready:-no Ready condition}"
    sleep 5
    waited=$((waited + 5))
  done
  die "node $name is not Ready after ${NODE_READY_TIMEOUT_SECONDS}s: ${ready:-no Ready condition} (is the pod network applied? applyCni comes before joinWorkers)"
}

# A control plane that joined is in service once its etcd member reports healthy (etcd's local
# metrics listener, which kubeadm sets up on 127.0.0.1:2381) and its API server is ready.
wait_for_control_plane() {
  local waited=0 etcd='' api=''
  log "waiting until this control plane's etcd member and API server are healthy (at most ${CONTROL_PLANE_READY_TIMEOUT_SECONDS}s)"
  while ((waited < CONTROL_PLANE_READY_TIMEOUT_SECONDS)); do
    etcd=$(curl -fsS --max-time 3 http://127.0.0.1:2381/health 2>&1 || true)
    api=$(curl -fsS --max-time 3 --cacert "$CA_CERT" "https://$APISERVER_ADVERTISE_ADDRESS:6443/readyz" 2>&1 || true)
    if [[ $etcd == *'"health":"true"'* && $api == ok ]]; then
      note "etcd member healthy, API server ready after ${waited}s"
      return 0
    fi
    ((waited % 15 == 0)) && note "not yet after ${waited}s: etcd ${etcd:-no answer}; API server ${api:-no answer}"
    sleep 3
    waited=$((waited + 3))
  done
  die "this control plane is not healthy after ${CONTROL_PLANE_READY_TIMEOUT_SECONDS}s: etcd member ${etcd:-no answer}; API server ${api:-no answer}"
}

umask 077
work=$(mktemp -d)
kubeadm_log=$work/kubeadm.log
diagnose=0
on_exit() {
  local status=$?
  rm -f "$work"/*.yaml
  if ((status != 0 && diagnose)); then print_node_diagnostics "$kubeadm_log" || true; fi
  rm -rf "$work"
}
trap on_exit EXIT

# ---- already part of a cluster? ----------------------------------------------------------------
if [[ -f $KUBE_DIR/manifests/kube-apiserver.yaml ]]; then
  [[ $control_plane == true ]] ||
    die "this node runs a control plane; it joins as a worker only after resetNode"
  log "already a control plane: checking of which cluster"
  current_hash=$(ca_cert_hash "$CA_CERT" 2>/dev/null || true)
  if [[ -n $current_hash ]] && pinned "$current_hash"; then
    server=$(server_of "$KUBELET_CONF")
    note "a control plane of this cluster (CA sha256:$current_hash): left as it is"
    diagnose=1
    wait_for_control_plane
    wait_until_ready
    printf 'KUBEADM_JOIN_RESULT state=unchanged endpoint=%s ca_cert_hash=sha256:%s control_plane=true\n' "${server:-$endpoint}" "$current_hash"
    exit 0
  fi
  die "this node runs the control plane of another cluster (CA sha256:${current_hash:-unknown}); run resetNode on it first to move it to the cluster at $endpoint"
fi
if [[ -f $KUBELET_CONF && $control_plane == true ]]; then
  die "this node joined the cluster at $(server_of "$KUBELET_CONF") as a worker; run resetNode on it first to make it a control plane"
fi
if [[ -f $KUBELET_CONF ]]; then
  log "already joined: checking to which cluster"
  server=$(server_of "$KUBELET_CONF")
  current_hash=$(trusted_ca_hash)
  if [[ -n $current_hash ]] && pinned "$current_hash"; then
    note "joined to this cluster (API server $server, CA sha256:$current_hash): left as it is"
    [[ $server == "$endpoint" ]] || note "the join command names $endpoint; the kubelet uses $server of the same cluster"
    diagnose=1
    if ! systemctl is-active --quiet kubelet; then
      systemctl start kubelet
      wait_for_kubelet || die "the kubelet does not become active"
    fi
    wait_until_ready
    printf 'KUBEADM_JOIN_RESULT state=unchanged endpoint=%s ca_cert_hash=sha256:%s control_plane=false\n' "$server" "$current_hash"
    exit 0
  fi
  die "this node is already joined to another cluster (API server ${server:-unknown}, CA sha256:${current_hash:-unknown}); run resetNode on it first to move it to the cluster at $endpoint"
fi

# ---- kubeadm join ------------------------------------------------------------------------------
log "kubeadm join $endpoint$([[ $control_plane == true ]] && echo " as a control plane advertising $APISERVER_ADVERTISE_ADDRESS") (token $token_id.****, config $api_version)"
config=$work/join-config.yaml
# printf is a builtin: the token goes into the root-only file without ever becoming an argument.
{
  printf 'apiVersion: %s\nkind: JoinConfiguration\n' "$api_version"
  printf 'discovery:\n  bootstrapToken:\n    apiServerEndpoint: "%s"\n    token: "%s"\n    caCertHashes:\n' "$endpoint" "$token"
  printf '    - "%s"\n' "${hashes[@]}"
  [[ $api_version == kubeadm.k8s.io/v1beta3 ]] && printf '  timeout: "%ss"\n' "$discovery_seconds"
  printf 'nodeRegistration:\n  criSocket: "%s"\n' "$CONTAINERD_CRI_SOCKET"
  kubeadm_ignore_preflight_yaml
  if [[ $control_plane == true ]]; then
    printf 'controlPlane:\n  localAPIEndpoint:\n    advertiseAddress: "%s"\n    bindPort: 6443\n  certificateKey: "%s"\n' \
      "$APISERVER_ADVERTISE_ADDRESS" "$CERTIFICATE_KEY"
  fi
  [[ $api_version == kubeadm.k8s.io/v1beta3 ]] || printf 'timeouts:\n  discovery: "%ss"\n' "$discovery_seconds"
} >"$config"
token=''
diagnose=1
if kubeadm join --config "$config" --v=5 2>"$kubeadm_log" | mask_bootstrap_tokens | mask_certificate_key; then
  rm -f "$config"
  kubeadm_messages "$kubeadm_log" >&2
else
  rm -f "$config"
  kubeadm_messages "$kubeadm_log" >&2
  error=$(kubeadm_error "$kubeadm_log")
  case $error in
    *"kubeadm-certs"*|*"certificate key"*|*"decrypt"*)
      hint="the control-plane certificates uploaded for joining are gone or were encrypted with another key (kubeadm deletes them two hours after kubeadmInit uploaded them; run kubeadmInit again)" ;;
    *"could not find a JWS signature"*|*"is invalid for this cluster or it has expired"*)
      hint="the control plane does not know token $token_id or it has expired (a join token lives JOIN_TOKEN_TTL, 30m by default; run kubeadmInit again for a fresh join command)" ;;
    *"failed to verify JWS signature"*)
      hint="the token's secret is wrong: the control plane knows token $token_id with a different secret" ;;
    *"none of the public keys"*|*"are pinned"*)
      hint="the control plane's CA does not match the pinned --discovery-token-ca-cert-hash (the join command belongs to another cluster, or the control plane was rebuilt; run kubeadmInit again for a fresh join command)" ;;
    *"failed to request the cluster-info"*|*"connection refused"*|*"no route to host"*|*"i/o timeout"*)
      hint="the API server at $endpoint cannot be reached from this node" ;;
    *) hint="see the kubeadm output above" ;;
  esac
  die "kubeadm join failed: $hint: $error"
fi

log "kubelet"
wait_for_kubelet || die "the kubelet did not become active within 60 s after kubeadm join"
note "active"
server=$(server_of "$KUBELET_CONF")
current_hash=$(trusted_ca_hash)
pinned "$current_hash" || die "after kubeadm join the node trusts CA sha256:$current_hash, which the join command does not pin"
note "joined the cluster at $server (CA sha256:$current_hash)"
[[ $control_plane == false ]] || wait_for_control_plane
wait_until_ready
printf 'KUBEADM_JOIN_RESULT state=joined endpoint=%s ca_cert_hash=sha256:%s control_plane=%s\n' "$server" "$current_hash" "$control_plane"
