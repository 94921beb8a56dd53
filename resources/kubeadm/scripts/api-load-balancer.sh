#!/usr/bin/env bash
# apiServerLoadBalancer haproxy: the stable API server address of a cluster with several control
# planes, set up on every node from the OS's haproxy package. Each node forwards its own loopback
# port to every control plane's API server, so no node depends on one control plane, and no
# address outside the nodes (a load balancer, a virtual IP) is needed.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'USAGE'
Usage: sudo env API_SERVERS=... api-load-balancer.sh

Runs haproxy (Debian's and Ubuntu's haproxy package) as its own service, kubeadm-api-load-balancer,
listening on 127.0.0.1:LOCAL_API_LOAD_BALANCER_PORT and forwarding TCP to every API server listed;
an API server that does not answer /readyz is left out until it does. The haproxy.service of the
package, and any configuration of it, are left alone. Idempotent: the same servers change nothing.

Environment variables:
  API_SERVERS   required: the control planes' API servers, ADDRESS:PORT with IPv4 addresses,
                separated by commas or spaces, e.g. 10.0.0.11:6443,10.0.0.12:6443,10.0.0.13:6443

Prints "KUBEADM_LOAD_BALANCER_RESULT state=configured|unchanged endpoint=127.0.0.1:PORT servers=N"
as its last line.
USAGE
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then usage; exit 0; fi
reject_arguments "$@"

API_SERVERS=${API_SERVERS:-}
readonly CONFIG=/etc/kubeadm-pipeline/api-load-balancer.cfg
readonly UNIT=kubeadm-api-load-balancer.service
readonly UNIT_FILE=/etc/systemd/system/$UNIT
readonly PORT=$LOCAL_API_LOAD_BALANCER_PORT

# ---- validation -----------------------------------------------------------------------------------
ipv4_re='^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$'
form='ADDRESS:PORT entries with IPv4 addresses, separated by commas or spaces, e.g. 10.0.0.11:6443,10.0.0.12:6443'
read -r -a servers <<<"${API_SERVERS//,/ }"
((${#servers[@]} > 0)) || die "API_SERVERS: not set (accepted: $form)"
((${#servers[@]} <= 15)) || die "API_SERVERS: ${#servers[@]} servers; at most 15 (accepted: $form)"
for server in "${servers[@]}"; do
  address=${server%:*}
  port=${server##*:}
  [[ $server == *:* && $address =~ $ipv4_re && $port =~ ^[0-9]{1,5}$ ]] && ((port >= 1 && port <= 65535)) ||
    die "API_SERVERS: '$server' is not ADDRESS:PORT (accepted: $form)"
done

require_root
take_node_lock
require_supported_os
export DEBIAN_FRONTEND=noninteractive

# ---- haproxy --------------------------------------------------------------------------------------
log "haproxy package"
if dpkg-query -W -f='${Status}' haproxy 2>/dev/null | grep -q 'install ok installed'; then
  note "already installed"
else
  apt-get update -q
  apt-get install -y -q --no-install-recommends haproxy
  note "installed"
fi
haproxy_bin=$(command -v haproxy) || die "the haproxy package installed no haproxy command"

# ---- configuration --------------------------------------------------------------------------------
log "load balancer 127.0.0.1:$PORT -> ${servers[*]}"
umask 022
wanted_config=$(mktemp)
wanted_unit=$(mktemp)
{
  printf '# Written by kubeadm-pipeline (api-load-balancer.sh); rewritten whenever the control planes change.\n'
  printf 'global\n  maxconn 4000\n\n'
  # Watches stay open for long: the client and server timeouts must not cut them. A connection an
  # API server refuses (it is restarting, and its health check has not noticed yet) is tried on another.
  printf 'defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 1h\n  timeout server 1h\n  timeout check 3s\n'
  printf '  retries 3\n  option redispatch\n\n'
  printf 'frontend kube-apiserver\n  bind 127.0.0.1:%s\n  default_backend kube-apiservers\n\n' "$PORT"
  # /readyz is open to anonymous clients on a kubeadm API server; a TLS check that ends in 200 is a
  # server that answers, where a TCP connect alone also passes a hung one.
  printf 'backend kube-apiservers\n  option httpchk GET /readyz\n  http-check expect status 200\n'
  printf '  default-server inter 2s fall 2 rise 1 check check-ssl verify none\n'
  i=0
  for server in "${servers[@]}"; do
    i=$((i + 1))
    printf '  server apiserver%d %s\n' "$i" "$server"
  done
} >"$wanted_config"
"$haproxy_bin" -c -q -f "$wanted_config" || die "haproxy rejects the configuration it was given (see above)"
cat >"$wanted_unit" <<UNIT
# Written by kubeadm-pipeline (api-load-balancer.sh).
[Unit]
Description=kubeadm-pipeline: this node's way to every Kubernetes API server
After=network-online.target
Wants=network-online.target

[Service]
Type=notify
ExecStartPre=$haproxy_bin -c -q -f $CONFIG
ExecStart=$haproxy_bin -Ws -f $CONFIG -p /run/kubeadm-api-load-balancer.pid
ExecReload=$haproxy_bin -c -q -f $CONFIG
ExecReload=/bin/kill -USR2 \$MAINPID
KillMode=mixed
Restart=always
RestartSec=2s

[Install]
WantedBy=multi-user.target
UNIT
state=unchanged
config_changed=0
if install_if_changed "$CONFIG" "$wanted_config" 0644; then config_changed=1; state=configured; fi
if install_if_changed "$UNIT_FILE" "$wanted_unit" 0644; then
  systemctl daemon-reload
  state=configured
  systemctl restart "$UNIT"
elif ! systemctl is-active --quiet "$UNIT"; then
  state=configured
  systemctl restart "$UNIT"
elif ((config_changed)); then
  systemctl reload "$UNIT"
fi
systemctl is-enabled --quiet "$UNIT" 2>/dev/null || systemctl enable --quiet "$UNIT"
note "$([[ $state == configured ]] && echo "configured, $UNIT running" || echo "unchanged")"

# The frontend listens at once; the API servers behind it may come later (kubeadmInit starts them).
for _ in $(seq 1 30); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    printf 'KUBEADM_LOAD_BALANCER_RESULT state=%s endpoint=127.0.0.1:%s servers=%s\n' "$state" "$PORT" "${#servers[@]}"
    exit 0
  fi
  sleep 1
done
die "$UNIT does not accept connections on 127.0.0.1:$PORT: $(systemctl status "$UNIT" --no-pager -n 5 2>&1 | tail -n 5 | tr '\n' ' ')"
