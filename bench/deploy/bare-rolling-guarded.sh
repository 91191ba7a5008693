#!/usr/bin/env bash
# bare-rolling.sh with the guarantees DeployMind must give on every deploy (bench/DeployMind.Bench deploy compares both):
#   - the app's variables never on a command line (secrets): written to a 0600 env file, given to docker as --env-file;
#   - the previous site is kept and put back when nginx rejects the new one (a failure leaves the previous release serving);
#   - the site is swapped in by rename (nginx never reads a half-written file);
#   - the switch counts only once nginx serves the new release (a reload is a signal: nginx applies it asynchronously,
#     and a failed one is only written to its error log).
# Still without DeployMind's bookkeeping: no listing of the host's containers and ports (the caller gives a free port),
# no labels beyond one, no record of the route, no pruning of old releases.
# usage: bare-rolling-guarded.sh IMAGE NAME PORT LISTEN_PORT PREFIX OLD_CONTAINER VERSION
set -euo pipefail
image=$1 name=$2 port=$3 listen=$4 prefix=$5 old=$6 version=$7
site="$prefix/conf/sites/bench-guarded.conf"

env_dir="${TMPDIR:-/tmp}/bench-guarded-env"
mkdir -p "$env_dir"
env_file="$env_dir/$name.env"
(umask 077 && printf 'APP_VERSION=%s\n' "$version" > "$env_file")
docker run --detach --name "$name" --network host --env "PORT=$port" --env HOST=127.0.0.1 \
  --env-file "$env_file" --label io.deploymind.app=bench-bare "$image" >/dev/null

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
[ "$ok" -ge 3 ] || { docker rm -f "$name" >/dev/null; echo "not healthy" >&2; exit 1; }

[ -f "$site" ] && cp -p "$site" "$site.previous"
cat > "$site.next" <<SITE
upstream bench_guarded { server 127.0.0.1:$port; }
server {
  listen 127.0.0.1:$listen;
  location / { proxy_pass http://bench_guarded; }
}
SITE
mv -f "$site.next" "$site"
if ! nginx -p "$prefix" -c conf/nginx.conf -t -q; then
  if [ -f "$site.previous" ]; then mv -f "$site.previous" "$site"; else rm -f "$site"; fi
  docker rm -f "$name" >/dev/null
  exit 1
fi
nginx -p "$prefix" -c conf/nginx.conf -s reload

served=0
for _ in $(seq 1 100); do
  if curl --silent --max-time 1 "http://127.0.0.1:$listen/" | grep -q "\"version\":\"$version\""; then
    served=1
    break
  fi
  sleep 0.05
done
[ "$served" = 1 ] || { echo "nginx does not serve $version" >&2; exit 1; }
[ -n "$old" ] && docker stop --time 10 "$old" >/dev/null
exit 0
