#!/usr/bin/env bash
# Builds the real-cluster test bed once, from the Kubernetes v1.26.1 binaries in the shared archive:
#   debs/      kubelet, kubeadm, kubectl, cri-tools, kubernetes-cni .debs (1.26.1-1.1 etc.)
#   debs-1.26.2/  kubelet, kubeadm, kubectl 1.26.2-1.1: the release upgrade tests move to (see
#              upgrade_release: the same binaries, their version string changed)
#   images/    single-layer docker-archive tarballs (control plane, kube-proxy, etcd, CoreDNS, pause,
#              Flannel and its CNI plugin image, a small web server for workload tests)
#   registry/  a docker-registry storage folder holding all of those images (kube-*:v1.26.1 and
#              kube-*:v1.26.2), served read-only by tests
# Usage: build-k8s-testbed.sh ARCHIVE OUT_DIR      (as root; OUT_DIR must not exist)
# Prints "PHASE <name> <seconds>s" per phase. Everything this writes is below OUT_DIR.
set -euo pipefail

archive=${1:?usage: build-k8s-testbed.sh ARCHIVE OUT_DIR}
out=${2:?usage: build-k8s-testbed.sh ARCHIVE OUT_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly K8S_VERSION=1.26.1 UPGRADE_VERSION=1.26.2 DEB_REVISION=1.1 ETCD_DEB_VERSION=3.5.16 ETCD_TAG=3.5.16-0
# UPGRADABLE_COREDNS_TAG: the same CoreDNS under the tag kubeadm 1.26 pins, for the upgrade test (kubeadm
# upgrade apply migrates CoreDNS's configuration only from versions it knows).
readonly COREDNS_TAG=v1.13.1 UPGRADABLE_COREDNS_TAG=v1.9.3 PAUSE_TAG=3.9 FLANNEL_TAG=v0.20.2 FLANNEL_CNI_TAG=v1.1.0 WEB_TAG=1.0
[[ ! -e $out ]] || { echo "ERROR: $out exists" >&2; exit 1; }
mkdir -p "$out"/{debs,images,work}
work=$out/work
registry_pid=''
cleanup() { [[ -z $registry_pid ]] || kill "$registry_pid" 2>/dev/null || true; }
trap cleanup EXIT

phase() { # name command...
  local name=$1 start=$SECONDS
  shift
  "$@"
  echo "PHASE $name $((SECONDS - start))s"
}

unpack() {
  tar -xJf "$archive" -C "$work"
  (cd "$work/bin" && sha256sum ./* >"$out/BINARIES.sha256")
}

# ---- packages ------------------------------------------------------------------------------
# deb DEST_DIR PACKAGE VERSION DEPENDS DESCRIPTION (the tree is $work/deb/PACKAGE_VERSION)
deb() {
  local dest=$1 pkg=$2 version=$3 depends=$4 description=$5 tree=$work/deb/$2_$3
  mkdir -p "$tree/DEBIAN"
  {
    echo "Package: $pkg"
    echo "Version: $version"
    echo "Architecture: $(dpkg --print-architecture)"
    echo "Maintainer: kubeadm-pipeline tests <test@kubeadm-pipeline.invalid>"
    [[ -z $depends ]] || echo "Depends: $depends"
    echo "Section: admin"
    echo "Priority: optional"
    echo "Description: $description (test package built by kubeadm-pipeline, never shipped)"
  } >"$tree/DEBIAN/control"
  dpkg-deb --root-owner-group -Zgzip -z1 --build "$tree" "$dest/${pkg}_${version}_$(dpkg --print-architecture).deb" >/dev/null
}

# kube_packages BIN_DIR K8S_VERSION DEST_DIR: kubelet, kubeadm and kubectl of one release.
kube_packages() {
  local bin=$1 k8s=$2 dest=$3 v=$2-$DEB_REVISION t=$work/deb
  mkdir -p "$dest"
  install -D -m 0755 "$bin/kubectl" "$t/kubectl_$v/usr/bin/kubectl"
  deb "$dest" kubectl "$v" "" "Kubernetes command-line client v$k8s"
  install -D -m 0755 "$bin/kubelet" "$t/kubelet_$v/usr/bin/kubelet"
  install -D -m 0644 "$here/kubelet.service" "$t/kubelet_$v/usr/lib/systemd/system/kubelet.service"
  install -D -m 0644 "$here/10-kubeadm.conf" "$t/kubelet_$v/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"
  deb "$dest" kubelet "$v" "iptables, iproute2, socat, util-linux, mount, ebtables, ethtool, conntrack, kubernetes-cni (>= 1.1.1)" \
    "Kubernetes node agent v$k8s"
  install -D -m 0755 "$bin/kubeadm" "$t/kubeadm_$v/usr/bin/kubeadm"
  deb "$dest" kubeadm "$v" "kubelet (>= 1.19.0), kubectl (>= 1.13.0), cri-tools (>= 1.25.0), kubernetes-cni (>= 1.1.1)" \
    "Kubernetes cluster bootstrapping tool v$k8s"
}

packages() {
  local crictl_v=1.26.1-$DEB_REVISION cni_v=1.1.1-$DEB_REVISION t=$work/deb
  kube_packages "$work/bin" "$K8S_VERSION" "$out/debs"
  install -D -m 0755 "$work/bin/crictl" "$t/cri-tools_$crictl_v/usr/bin/crictl"
  deb "$out/debs" cri-tools "$crictl_v" "" "crictl v1.26.1, CLI for CRI-compatible container runtimes"
  # Debian's CNI plugins in /usr/lib/cni, shown where kubelet and containerd look (/opt/cni/bin).
  mkdir -p "$t/kubernetes-cni_$cni_v/opt/cni/bin"
  local plugin
  for plugin in bridge host-local loopback portmap bandwidth firewall tuning ptp macvlan ipvlan vlan host-device dhcp static sbr vrf; do
    ln -s "/usr/lib/cni/$plugin" "$t/kubernetes-cni_$cni_v/opt/cni/bin/$plugin"
  done
  deb "$out/debs" kubernetes-cni "$cni_v" "containernetworking-plugins" "CNI plugins for Kubernetes (Debian's, linked into /opt/cni/bin)"
}

# ---- etcd from Debian trixie, fetched with a private apt configuration ---------------------
etcd() {
  local apt=$work/apt
  mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc/preferences.d" "$apt/etc/apt.conf.d"
  echo "deb $mirror trixie main" >"$apt/etc/sources.list"
  : >"$apt/status"
  local opts=(-o "Dir::Etc::SourceList=$apt/etc/sources.list" -o "Dir::Etc::SourceParts=$apt/etc/sources.list.d"
    -o "Dir::Etc::Preferences=$apt/etc/preferences" -o "Dir::Etc::PreferencesParts=$apt/etc/preferences.d"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::State::Status=$apt/status" -o "Dir::Cache=$apt/cache"
    -o "Dir::Cache::Archives=$apt/archives" -o "APT::Architecture=$(dpkg --print-architecture)" -o APT::Sandbox::User=root)
  mkdir -p "$apt/etc/sources.list.d" "$apt/cache"
  apt-get -q "${opts[@]}" update >/dev/null
  local version
  version=$(apt-cache "${opts[@]}" madison etcd-server | awk -F'|' -v want="$ETCD_DEB_VERSION" '{ gsub(/ /, "", $2) } index($2, want) == 1 { print $2; exit }')
  [[ -n $version ]] || { echo "ERROR: etcd-server $ETCD_DEB_VERSION is not in trixie" >&2; exit 1; }
  (cd "$apt/archives" && apt-get -q "${opts[@]}" download "etcd-server=$version" >/dev/null)
  dpkg-deb -x "$apt"/archives/etcd-server_*.deb "$work/etcd-deb"
  install -D -m 0755 "$work/etcd-deb/usr/bin/etcd" "$work/etcd"
  echo "etcd-server $version" >>"$out/SOURCES"
}

# ---- images -------------------------------------------------------------------------------
# A small Debian with iptables for kube-proxy and flanneld (and glibc for Debian's etcd).
debian_root() {
  mmdebstrap --quiet --variant=minbase --include=iptables,conntrack,busybox-static \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    bookworm "$work/debian-root" "$mirror"
  rm -rf "$work/debian-root/var/lib/apt/lists/"* "$work/debian-root/var/cache/apt/"*
}

# A root with only busybox (static) and the applets tests and the CNI-plugin copy step use.
busybox_root() { # dir
  install -D -m 0755 "$work/debian-root/bin/busybox" "$1/bin/busybox"
  local applet
  for applet in sh cp cat ls mkdir sleep echo wget nslookup httpd hostname; do ln -s busybox "$1/bin/$applet"; done
  mkdir -p "$1/tmp" "$1/etc"
  chmod 1777 "$1/tmp"
  echo 'root:x:0:0:root:/:/bin/sh' >"$1/etc/passwd"
}

# image ROOT_DIR REPO:TAG OUT.tar ENTRYPOINT_JSON [USER]: a single-layer docker-archive tarball.
image() {
  local root=$1 tag=$2 tarball=$3 entrypoint=$4 user=${5:-} dir
  dir=$(mktemp -d "$work/image.XXXXXX")
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$root" -cf "$dir/layer.tar" .
  local layer_sha config config_sha
  layer_sha=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
  mkdir "$dir/$layer_sha"
  mv "$dir/layer.tar" "$dir/$layer_sha/layer.tar"
  config=$(printf '{"architecture":"%s","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":%s%s},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"kubeadm-pipeline test bed"}]}' \
    "$(dpkg --print-architecture)" "$entrypoint" "${user:+,\"User\":\"$user\"}" "$layer_sha")
  config_sha=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
  printf '%s' "$config" >"$dir/$config_sha.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_sha" "$tag" "$layer_sha" >"$dir/manifest.json"
  tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$dir" -cf "$tarball" manifest.json "$config_sha.json" "$layer_sha/layer.tar"
  rm -rf "$dir"
}

# release_images BIN_DIR K8S_VERSION: the control plane and kube-proxy of one release, as
# images/NAME-vVERSION.tar.
release_images() {
  local bin=$1 v=v$2 c r
  # control plane: one static binary each
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    r=$work/root-$c-$v
    install -D -m 0755 "$bin/$c" "$r/usr/local/bin/$c"
    install -d -m 1777 "$r/tmp"
    image "$r" "$c:$v" "$out/images/$c-$v.tar" "[\"/usr/local/bin/$c\"]"
  done
  # Debian-based: kube-proxy calls iptables.
  r=$work/root-kube-proxy-$v
  cp -a "$work/debian-root" "$r"
  install -D -m 0755 "$bin/kube-proxy" "$r/usr/local/bin/kube-proxy"
  image "$r" "kube-proxy:$v" "$out/images/kube-proxy-$v.tar" '["/usr/local/bin/kube-proxy"]'
}

images() {
  local bin=$work/bin img=$out/images r
  release_images "$bin" "$K8S_VERSION"
  r=$work/root-pause
  install -D -m 0755 "$bin/pause" "$r/pause"
  image "$r" "pause:$PAUSE_TAG" "$img/pause.tar" '["/pause"]' 65535:65535
  r=$work/root-coredns
  install -D -m 0755 "$bin/coredns" "$r/coredns"
  image "$r" "coredns:$COREDNS_TAG" "$img/coredns.tar" '["/coredns"]'
  # Debian-based: flanneld calls iptables; Debian's etcd links glibc.
  r=$work/root-etcd
  cp -a "$work/debian-root" "$r"
  install -D -m 0755 "$work/etcd" "$r/usr/local/bin/etcd"
  image "$r" "etcd:$ETCD_TAG" "$img/etcd.tar" '["/usr/local/bin/etcd"]'
  r=$work/root-flannel
  cp -a "$work/debian-root" "$r"
  install -D -m 0755 "$bin/flanneld" "$r/opt/bin/flanneld"
  image "$r" "rancher/mirrored-flannelcni-flannel:$FLANNEL_TAG" "$img/flannel.tar" '["/opt/bin/flanneld"]'
  r=$work/root-flannel-cni
  busybox_root "$r"
  install -D -m 0755 "$bin/flannel" "$r/flannel"
  image "$r" "rancher/mirrored-flannelcni-flannel-cni-plugin:$FLANNEL_CNI_TAG" "$img/flannel-cni-plugin.tar" '["/bin/cp"]'
  # The workload tests' web server: busybox httpd on port 8080 serving one page.
  r=$work/root-web
  busybox_root "$r"
  mkdir -p "$r/www"
  echo 'kubeadm-pipeline test web server' >"$r/www/index.html"
  image "$r" "kubeadm-pipeline-test/web:$WEB_TAG" "$img/web.tar" '["/bin/httpd","-f","-v","-p","8080","-h","/www"]'
}

# ---- the upgrade release -------------------------------------------------------------------
# No newer release can be had here, so the upgrade tests' v1.26.2 is v1.26.1 with its version
# string changed. The build's -X ldflags put "v1.26.1" twice in each binary's data (the
# gitVersion of component-base and of client-go, which every --version, kubeadm and the API
# server's /version report); an equal-length swap moves nothing. Any other count means a
# different archive: stop rather than patch what we have not looked at.
# (Bare "1.26.1" must stay: it is also inside Go's own "go1.26.10".)
upgrade_binaries() {
  local from=v$K8S_VERSION to=v$UPGRADE_VERSION dir=$work/bin-$UPGRADE_VERSION b n
  mkdir -p "$dir"
  for b in kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do
    n=$(FROM=$from TO=$to perl -0777 -pe 'BEGIN { binmode STDIN; binmode STDOUT }
      $n = s/\Q$ENV{FROM}\E/$ENV{TO}/g; END { print STDERR ($n || 0) }' <"$work/bin/$b" 2>&1 >"$dir/$b")
    [[ $n == 2 ]] || { echo "ERROR: $b holds \"$from\" $n times, not 2" >&2; exit 1; }
    chmod 0755 "$dir/$b"
  done
  # What the upgrade reads: kubeadm's own version, kubelet's, and the API server's.
  local said
  said=$("$dir/kubeadm" version -o short)
  [[ $said == "$to" ]] || { echo "ERROR: patched kubeadm says $said" >&2; exit 1; }
  for b in kubelet kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do
    said=$("$dir/$b" --version)
    [[ $said == "Kubernetes $to" ]] || { echo "ERROR: patched $b says $said" >&2; exit 1; }
  done
  (cd "$dir" && sha256sum ./* >"$out/BINARIES-$UPGRADE_VERSION.sha256")
}

# Only kubelet, kubeadm and kubectl change between patch releases (cri-tools and kubernetes-cni
# stay), in their own folder so the 1.26.1 repository the other tests serve stays as it was (a
# minor-only KUBERNETES_VERSION would pick the newest package). etcd, CoreDNS and pause keep their
# images: the tests' ClusterConfiguration names its own tags, which an upgrade keeps (and kubeadm
# v1.26.2 asks for the same etcd 3.5.6-0 and CoreDNS v1.9.3 as v1.26.1 did).
upgrade_release() {
  upgrade_binaries
  kube_packages "$work/bin-$UPGRADE_VERSION" "$UPGRADE_VERSION" "$out/debs-$UPGRADE_VERSION"
  release_images "$work/bin-$UPGRADE_VERSION" "$UPGRADE_VERSION"
}

# ---- registry storage ----------------------------------------------------------------------
# Names as kubeadm (custom imageRepository: <repo>/<name>, CoreDNS at <repo>/coredns) and, through a
# containerd mirror, registry.k8s.io and docker.io name them.
registry() {
  local port config
  port=$((20000 + $$ % 20000))
  while ss -Htln "sport = :$port" | grep -q .; do port=$((port + 1)); done
  config=$work/registry.yml
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$out/registry" "$port" >"$config"
  docker-registry serve "$config" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.2; done
  push() { # tarball name:tag
    skopeo copy --quiet --dest-tls-verify=false "docker-archive:$out/images/$1" "docker://127.0.0.1:$port/$2"
  }
  local v
  for v in "v$K8S_VERSION" "v$UPGRADE_VERSION"; do
    for c in kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do push "$c-$v.tar" "$c:$v"; done
  done
  push pause.tar "pause:$PAUSE_TAG"
  push etcd.tar "etcd:$ETCD_TAG"
  push coredns.tar "coredns:$COREDNS_TAG"
  push coredns.tar "coredns:$UPGRADABLE_COREDNS_TAG"
  push coredns.tar "coredns/coredns:$COREDNS_TAG"
  push flannel.tar "rancher/mirrored-flannelcni-flannel:$FLANNEL_TAG"
  push flannel-cni-plugin.tar "rancher/mirrored-flannelcni-flannel-cni-plugin:$FLANNEL_CNI_TAG"
  push web.tar "kubeadm-pipeline-test/web:$WEB_TAG"
  kill "$registry_pid"
  wait "$registry_pid" 2>/dev/null || true
  registry_pid=''
}

total=$SECONDS
phase unpack unpack
phase packages packages
phase etcd etcd
phase debian-root debian_root
phase images images
phase upgrade-release upgrade_release
phase registry registry
# The registry holds every image now; the tarballs were only its input.
rm -rf "$out/images"
rm -rf "$work"
{
  echo "kubernetes $K8S_VERSION upgrade-release $UPGRADE_VERSION (the $K8S_VERSION binaries, version string changed) pause $PAUSE_TAG etcd $ETCD_TAG coredns $COREDNS_TAG flannel $FLANNEL_TAG flannel-cni-plugin $FLANNEL_CNI_TAG web $WEB_TAG"
} >>"$out/SOURCES"
echo "PHASE total $((SECONDS - total))s"
