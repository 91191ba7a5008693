#!/usr/bin/env bash
# Webhook intake under load: `deploymind serve` (no workers) with the Redis queue, wrk POSTing a signed 8.6 KB push
# payload to /webhooks/github with a new delivery id per request (each one records a deployment and queues a job).
# Bounded: a few connections for a fixed time, loopback only. Writes bench/results/webhooks.md.
# Needs: wrk (apt-get install wrk), redis on 127.0.0.1:6380 (scripts/services/redis.sh), the base build.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
duration=${DURATION:-20s}
runs=${RUNS:-3}
connections=${CONNECTIONS:-"1 16 64"}
port=${PORT:-18095}
redis_port=${REDIS_PORT:-6380}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
redis-cli -p "$redis_port" ping >/dev/null || { echo "no redis on 127.0.0.1:$redis_port: scripts/services/redis.sh" >&2; exit 1; }

work=$(mktemp -d)
prefix="bench-webhooks-$$"
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  redis-cli -p "$redis_port" --scan --pattern "$prefix*" | xargs -r redis-cli -p "$redis_port" DEL >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build "$root/src/DeployMind.Cli" -c Release -nologo -v quiet >/dev/null
body="$root/tests/fixtures/github-webhooks/push.with-new-branch.json"
secret="bench-secret"
signature="sha256=$(openssl dgst -sha256 -hmac "$secret" -r < "$body" | cut -d' ' -f1)"
cat > "$work/config.yml" <<YAML
queue: { provider: redis, redis: "127.0.0.1:$redis_port", keyPrefix: $prefix }
server: { webhookSecret: $secret, workers: { enabled: false } }
YAML

export DEPLOYMIND_HOME="$work/home" DEPLOYMIND_MACHINE_CONFIG=/nonexistent
dotnet "$root/src/DeployMind.Cli/bin/Release/net10.0/deploymind.dll" serve --config "$work/config.yml" --urls "http://127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/serve.log"; exit 1; }

# Warm-up (JIT, connections), not measured.
BODY_FILE="$body" SIGNATURE="$signature" RUN_ID=warm wrk -t1 -c4 -d3s -s "$root/bench/webhooks/push.lua" "http://127.0.0.1:$port/webhooks/github" >/dev/null

rows=""
for c in $connections; do
  for r in $(seq 1 "$runs"); do
    t=$(( c < 2 ? 1 : 2 ))
    out=$(BODY_FILE="$body" SIGNATURE="$signature" RUN_ID="c$c-r$r" wrk -t"$t" -c"$c" -d"$duration" --timeout 10s -s "$root/bench/webhooks/push.lua" "http://127.0.0.1:$port/webhooks/github")
    line=$(printf '%s\n' "$out" | grep '^RESULT')
    echo "connections=$c run=$r $line"
    rows+="$c $r $line"$'\n'
  done
done

# wrk stops with requests still in flight (it does not wait for their answers): let the server finish them first.
sleep 3
jobs=$(redis-cli -p "$redis_port" XLEN "$prefix:jobs:production:webhook" 2>/dev/null || echo "?")
streams=$(redis-cli -p "$redis_port" --scan --pattern "$prefix*" | tr '\n' ' ')
records=$(sqlite3 "$work/home/deploymind.db" "select count(*) from deployments" 2>/dev/null || echo "?")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
redis_version=$(redis-cli -p "$redis_port" INFO server | grep redis_version | cut -d: -f2 | tr -d '\r')

{
  echo "# Webhook intake benchmark"
  echo
  echo "What ran: \`bench/webhooks/run.sh\` (DURATION=$duration, RUNS=$runs, CONNECTIONS=\"$connections\"): \`deploymind serve --no-workers\` (Release build) with"
  echo "\`queue.provider: redis\` (127.0.0.1:$redis_port, Redis $redis_version) and the default SQLite records, and \`wrk\` POSTing the signed"
  echo "$(wc -c < "$body")-byte \`push\` payload (\`push.with-new-branch.json\`, a push to the default branch) to \`/webhooks/github\`, with a new"
  echo "\`X-GitHub-Delivery\` per request (\`bench/webhooks/push.lua\`). Every request is a full intake: size check, HMAC-SHA256 over the"
  echo "body, parse, a deployment recorded (queued) in SQLite, a job added to the Redis stream, the delivery recorded, 202 with the id."
  echo "A 3 s warm-up comes first. wrk and the server share the machine: $(nproc) cores ($cpu), loopback only; $(date -u +%F)."
  echo
  echo "| connections | run | requests | req/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | errors | non-2xx |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  while read -r c r _ rest; do
    [ -z "$c" ] && continue
    eval "$(printf '%s' "$rest" | tr ' ' '\n' | sed 's/^/local_/' | tr '\n' ';')"
    echo "| $c | $r | $local_requests | $local_rps | $local_p50_ms | $local_p90_ms | $local_p99_ms | $local_max_ms | $local_errors | $local_non2xx |"
  done <<< "$rows"
  echo
  echo "After the runs (and 3 s for the requests wrk left in flight): $records deployments recorded, $jobs jobs in the production webhook"
  echo "stream (warm-up included): one job per recorded deployment."
  echo
  echo "Against GitHub's 10 s delivery timeout: the worst request above (max) is the margin left; GitHub needs the answer, not the"
  echo "deploy, within 10 s, and the server never deploys inside the request."
} > "$root/bench/results/webhooks.md"
echo "wrote bench/results/webhooks.md"
