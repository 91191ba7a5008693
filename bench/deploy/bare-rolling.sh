#!/usr/bin/env bash
# The bare sequence of a rolling deploy, as a shell script would do it by hand — the baseline DeployMind's
# rolling strategy is compared with (bench/DeployMind.Bench deploy). Same steps, no checks beyond them:
#   docker run the new container → 3 consecutive healthy answers (every 250 ms) → write the nginx site →
#   nginx -t → reload → stop the old container.
# usage: bare-rolling.sh IMAGE NAME PORT LISTEN_PORT PREFIX OLD_CONTAINER VERSION
set -euo pipefail
image=$1 name=$2 port=$3 listen=$4 prefix=$5 old=$6 version=$7

docker run --detach --name "$name" --network host --env "PORT=$port" --env HOST=127.0.0.1 \
  --env "APP_VERSION=$version" --label io.deploymind.app=bench-bare "$image" >/dev/null

ok=0
for _ in $(seq 1 120); do
  if curl --silent --fail --output /dev/null --max-time 2 "http://127.0.0.1:$port/health"; then
    ok=$((ok + 1))
    [ "$ok" -ge 3 ] && break
  else
    ok=0
  fi
  sleep 0.25
done
[ "$ok" -ge 3 ] || { echo "not healthy" >&2; exit 1; }

cat > "$prefix/conf/sites/bench-bare.conf" <<SITE
upstream bench_bare { server 127.0.0.1:$port; }
server {
  listen 127.0.0.1:$listen;
  location / { proxy_pass http://bench_bare; }
}
SITE
nginx -p "$prefix" -c conf/nginx.conf -t -q
nginx -p "$prefix" -c conf/nginx.conf -s reload
[ -n "$old" ] && docker stop --time 10 "$old" >/dev/null
exit 0
