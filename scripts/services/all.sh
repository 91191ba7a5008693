#!/usr/bin/env bash
# Starts every service the integration tests use (run as root, idempotent; each script says where its files live):
#   sshd       127.0.0.1:2222  (SSH runner and SSH-host deploys)
#   PostgreSQL 127.0.0.1:5433  (the deployment store and embedded queue on PostgreSQL)
#   Redis      127.0.0.1:6380  (the Redis job queue and deploy lock)
#   host2      127.0.0.1:2223  (a second Docker host with an empty image store: network namespace deploymind-host2,
#                               its own dockerd and sshd) and registries on 127.0.0.1:5000 (open), 5001 (basic auth)
#   pebble     127.0.0.1:14000 (ACME, Debian's pebble; DNS for it from pebble-challtestsrv on 127.0.0.1:8053/8055;
#                               HTTP-01 validated on port 5002) and certbot, for the domains-and-TLS tests
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/sshd.sh"
bash "$here/postgres.sh"
bash "$here/redis.sh"
bash "$here/host2.sh"
bash "$here/pebble.sh"
