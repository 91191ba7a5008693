#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine for DeployMind (run as root, idempotent):
#   - installs what DeployMind and its tests use (Docker engine, nginx, debootstrap, git, curl, ss, zsh and fish,
#     certbot, pebble, chromium for the dashboard's browser tests),
#   - starts the Docker engine if it is not running (no bridge, no iptables: containers use the host network),
#   - builds the local base images when missing (no Docker Hub here: scripts/base-images/build.sh),
#   - installs /etc/deploymind/config.yml, which maps generated Dockerfiles' base images to them,
#   - installs the Kubernetes schema validator the tests run (tests/k8s-schema: npm ci, kubernetes-models).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
log() { printf '[bootstrap] %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "bootstrap: run as root (e.g. sudo $0): it installs packages and starts the Docker engine" >&2
  exit 2
fi

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v git >/dev/null || need+=(git)
command -v curl >/dev/null || need+=(curl)
command -v nginx >/dev/null || need+=(nginx)
command -v ss >/dev/null || need+=(iproute2)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v zsh >/dev/null || need+=(zsh)    # the shell-completion tests run the scripts in each shell
command -v fish >/dev/null || need+=(fish)
command -v certbot >/dev/null || need+=(certbot)  # the ACME client DeployMind drives for domains over HTTPS (docs/domains.md)
command -v pebble >/dev/null || need+=(pebble)    # Let's Encrypt's ACME test server, for the domains-and-TLS tests
command -v chromium >/dev/null || need+=(chromium)  # the browser the dashboard's tests drive through Playwright (docs/dashboard.md)
[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (--bridge=none --iptables=false)"
  nohup dockerd --bridge=none --iptables=false >/var/log/deploymind-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { tail -n 30 /var/log/deploymind-dockerd.log; echo "bootstrap: dockerd did not start" >&2; exit 1; }
fi

bash "$here/base-images/build.sh"

install -d /etc/deploymind
if [ ! -f /etc/deploymind/config.yml ] || ! cmp -s "$here/base-images/local.yml" /etc/deploymind/config.yml; then
  log "installing /etc/deploymind/config.yml (base images -> local stand-ins)"
  install -m 0644 "$here/base-images/local.yml" /etc/deploymind/config.yml
fi
# The generated Kubernetes manifests are checked against the official OpenAPI schemas by this validator (from the npm registry).
schema="$here/../tests/k8s-schema"
if [ ! -d "$schema/node_modules/kubernetes-models" ] || [ "$schema/package-lock.json" -nt "$schema/node_modules/.package-lock.json" ]; then
  log "installing the Kubernetes schema validator (npm ci in tests/k8s-schema)"
  (cd "$schema" && npm ci --no-audit --no-fund --loglevel=error)
fi
log "ready"
