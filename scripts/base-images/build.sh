#!/usr/bin/env bash
# Builds DeployMind's local base images on a machine with no access to Docker Hub.
#
#   deploymind-base/debian:bookworm   debootstrap'd Debian 12 rootfs, imported with `docker import`,
#                                     trusting the CAs this machine adds in /usr/local/share/ca-certificates
#   deploymind-base/node:18           + Debian's nodejs and npm, user `node` (uid 1000) as in node:*
#   deploymind-base/python:3.11       + python3, pip, venv; `python` and `pip` on PATH as in python:*
#   deploymind-base/golang:1.19       + Debian's Go toolchain, GOPATH=/go as in golang:*
#   deploymind-base/static:nonroot    distroless-like: no shell, ca-certificates, tzdata, user nonroot (65532)
#   deploymind-base/redis:7           + Debian's redis-server as redis:7 runs it (CMD redis-server, data in /data,
#                                     user redis), for accessories: `image: deploymind-base/redis:7`
#   deploymind-base/dotnet-sdk:M.m    + this machine's .NET SDK (the folder `dotnet` runs from), `dotnet` on PATH as in
#                                     mcr.microsoft.com/dotnet/sdk:M.m; DeployMind's own Dockerfile builds on it
#
# Each image keeps the contract of the official image it stands in for (users, commands on PATH,
# environment), so generated Dockerfiles run unchanged once build.baseImages maps the official
# names to these (see scripts/base-images/local.yml). Idempotent: an image that exists is kept
# unless --force is given; a layered image is rebuilt when a file of its folder changed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
force=0
[ "${1:-}" = "--force" ] && force=1
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

have() { [ "$force" = 0 ] && docker image inspect "$1" >/dev/null 2>&1; }
# A layered image is current when it was built from the Dockerfile as it is now (its hash is a label).
current() {
  [ "$force" = 0 ] || return 1
  [ "$(docker image inspect --format '{{ index .Config.Labels "io.deploymind.base-hash" }}' "$1" 2>/dev/null)" = "$2" ]
}
log() { printf '[base-images] %s\n' "$*"; }

if ! have deploymind-base/debian:bookworm; then
  log "debootstrap bookworm (minbase) from $mirror"
  root=$(mktemp -d /tmp/deploymind-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" >/tmp/deploymind-debootstrap.log 2>&1 \
    || { tail -n 30 /tmp/deploymind-debootstrap.log; exit 1; }
  # Trust what this machine trusts: certificate authorities added locally (a corporate or sandbox
  # proxy in front of the package registries) go into the image's store too.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null
  fi
  # Keep images small, as the official slim images do.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
  cat > "$root/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SRC
  log "docker import -> deploymind-base/debian:bookworm"
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["bash"]' - deploymind-base/debian:bookworm >/dev/null
  rm -rf "$root"
  trap - EXIT
fi

for name in node:18 python:3.11 golang:1.19 static:nonroot redis:7; do
  image="deploymind-base/$name"
  dir="$here/${name%%:*}"
  # The folder's files (a folder with only its Dockerfile hashes as that file alone).
  hash=$(find "$dir" -type f -print0 | LC_ALL=C sort -z | xargs -0 cat | sha256sum | cut -c1-12)
  if current "$image" "$hash"; then log "$image present"; continue; fi
  log "building $image from $dir"
  docker build --network host -q --label "io.deploymind.base-hash=$hash" -t "$image" "$dir" >/dev/null
done
# The .NET SDK image is this machine's SDK copied in (there is no .NET in Debian 12 and no registry to pull one from):
# the build context is the Dockerfile and the host's dotnet folder, streamed as a tar. Current while the folder's
# Dockerfile and the installed SDKs and runtimes are the same.
if command -v dotnet >/dev/null 2>&1; then
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  sdk=$(cd / && dotnet --version 2>/dev/null || true)
  if [ -n "$sdk" ]; then
    image="deploymind-base/dotnet-sdk:$(echo "$sdk" | cut -d. -f1,2)"
    hash=$({ cat "$here/dotnet-sdk/Dockerfile"; dotnet --list-sdks; dotnet --list-runtimes; } | sha256sum | cut -c1-12)
    if current "$image" "$hash"; then
      log "$image present"
    else
      log "building $image from the .NET SDK $sdk in $dotnet_root"
      tar -c -C "$here/dotnet-sdk" Dockerfile -C "$(dirname "$dotnet_root")" --transform "s,^$(basename "$dotnet_root"),dotnet," "$(basename "$dotnet_root")" \
        | docker build --network host -q --label "io.deploymind.base-hash=$hash" -t "$image" - >/dev/null
    fi
  fi
else
  log "no dotnet on this machine: deploymind-base/dotnet-sdk is not built (DeployMind's own image needs it)"
fi
log "done"
