#!/usr/bin/env bash
# Sourced by .ci/run and ./lab: installs what the build, the test nodes and the lab need on a fresh
# Debian 12 machine (each package is checked, so a prepared machine skips apt), plus, for .ci/run only,
# what the tests alone need; and finds the read-only kits beside the repository.

# What the build and the test-node harness use.
prerequisite_packages=(openjdk-17-jdk-headless maven debootstrap systemd-container iproute2 iptables openssh-client
                       dpkg-dev apt-utils gnupg shellcheck util-linux unzip mmdebstrap skopeo docker-registry xz-utils curl)

# What only the tests use, so ./lab never installs it: the lab's browser test (LabIT) drives Debian's
# Chromium through Debian's chromedriver (/usr/bin/chromium, /usr/bin/chromedriver).
test_packages=(chromium chromium-driver)

install_prerequisites() { # [more packages...]
  local pkg missing=()
  for pkg in "${prerequisite_packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  # A machine may already have a JDK 17 and Maven from elsewhere than apt.
  if command -v javac >/dev/null && javac -version 2>&1 | grep -qE 'javac (1[7-9]|2[0-9])'; then
    missing=("${missing[@]/openjdk-17-jdk-headless}")
  fi
  if command -v mvn >/dev/null; then missing=("${missing[@]/maven}"); fi
  read -r -a missing <<<"${missing[*]}"
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "==> installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

install_test_prerequisites() {
  install_prerequisites "${test_packages[@]}"
}

# Read-only kits beside the repository (CI lays shared/ beside its clone; a clone made from a working
# copy finds them beside that copy): the Jenkins kit the plugin is compiled against, tested with and
# loaded into, and the real Kubernetes binaries the real-cluster tests and the lab start from.
# Nothing is written into them.
shared_folder() { # sub-folder, file it must hold
  local origin candidate
  origin=$(git config --get remote.origin.url 2>/dev/null || true)
  for candidate in "$(cd .. && pwd)/shared/$1" ${origin:+"$origin/../shared/$1"}; do
    if [[ -f $candidate/$2 ]]; then
      (cd "$candidate" && pwd)
      return 0
    fi
  done
  return 1
}

find_kits() {
  JENKINS_KIT=${JENKINS_KIT:-$(shared_folder jenkins-kit jenkins.war || true)}
  KUBERNETES_KIT=${KUBERNETES_KIT:-$(shared_folder k8s kubernetes-1.26.1-bin.tar.xz || true)}
  if [[ -z $JENKINS_KIT || ! -f $JENKINS_KIT/jenkins.war ]]; then
    echo "ERROR: the Jenkins kit (shared/jenkins-kit) is not beside the repository; set JENKINS_KIT. The plugin cannot be built or tested without it" >&2
    exit 1
  fi
  if [[ -z $KUBERNETES_KIT || ! -f $KUBERNETES_KIT/kubernetes-1.26.1-bin.tar.xz ]]; then
    echo "ERROR: the Kubernetes binaries (shared/k8s) are not beside the repository; set KUBERNETES_KIT" >&2
    exit 1
  fi
  export JENKINS_KIT KUBERNETES_KIT
}
