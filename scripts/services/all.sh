#!/usr/bin/env bash
# Starts every service the integration tests use (run as root, idempotent; each script says where its files live):
#   sshd       127.0.0.1:2222  (SSH runner and SSH-host deploys)
#   PostgreSQL 127.0.0.1:5433  (the deployment store and embedded queue on PostgreSQL)
#   Redis      127.0.0.1:6380  (the Redis job queue and deploy lock)
#   host2      127.0.0.1:2223  (a second Docker host with an empty image store: network namespace deploymind-host2,
#                               its own dockerd and sshd) and registries on 127.0.0.1:5000 (open), 5001 (basic auth)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/sshd.sh"
bash "$here/postgres.sh"
bash "$here/redis.sh"
bash "$here/host2.sh"
