#!/usr/bin/env bash
# How long `deploymind rollback` takes end to end (the CLI process's wall time: start-up, records, the kept release
# started again and health-checked, the nginx switch, the drain, the stop of the release rolled back from), on this
# machine behind a managed nginx. For each build of the CLI given (a deploymind.dll, built or published), each example and each round:
#   1. a fresh DEPLOYMIND_HOME (SQLite records) and nginx prefix; the machine config is scripts/base-images/local.yml,
#   2. `deploymind deploy` of the example twice (a file changed in between: two releases, two images),
#   3. `deploymind rollback PATH` timed (its wall time), then a request through nginx must answer.
# With two builds, rounds alternate between them (A B B A ...), so both see the same machine load.
# Prints a Markdown table (bench/results/rollback.md holds the figures recorded with what ran and where).
#
# usage: bench/rollback/run.sh [BEFORE.dll [AFTER.dll]]
#   default: this worktree's CLI, published first as docs/cli.md installs it (dotnet publish: ReadyToRun).
#   EXAMPLES="node-express python-stdlib go-stdlib", ROUNDS (1-10; default 3), YML: extra deploymind.yml lines for the
#   environment (default: none, every setting at its default), STRIP_SIGTERM=1: take the examples' SIGTERM handler
#   out (every line naming SIGTERM), as in most apps, which never install one.
# Needs: dotnet, docker, nginx, python3.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
examples=${EXAMPLES:-"node-express python-stdlib go-stdlib"}
rounds=${ROUNDS:-3}
extra_yml=${YML:-}
strip_sigterm=${STRIP_SIGTERM:-}

[ $# -le 2 ] || { echo "usage: $0 [BEFORE.dll [AFTER.dll]]" >&2; exit 2; }
builds=("$@")
published=
if [ ${#builds[@]} -eq 0 ]; then
  published=$(mktemp -d /tmp/bench-rollback-cli-XXXXXX)
  dotnet publish "$root/src/DeployMind.Cli" -c Release -o "$published" -nologo -v quiet >/dev/null
  builds=("$published/deploymind.dll")
fi
[[ "$rounds" =~ ^[0-9]+$ ]] && [ "$rounds" -ge 1 ] && [ "$rounds" -le 10 ] || { echo "ROUNDS must be 1-10" >&2; exit 2; }
for e in $examples; do [ -d "$root/examples/$e" ] || { echo "no such example: $e" >&2; exit 2; }; done
for dll in "${builds[@]}"; do [ -f "$dll" ] || { echo "no such build: $dll" >&2; exit 2; }; done
for tool in dotnet docker nginx python3; do command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }; done

work=$(mktemp -d /tmp/bench-rollback-XXXXXX)
cleanup() {
  for folder in "$work"/r*/bench-rb-*; do
    [ -d "$folder" ] || continue
    local app; app=$(basename "$folder")
    docker ps -aq --filter "label=io.deploymind.app=$app" | xargs -r docker rm --force >/dev/null 2>&1 || true
    docker images --format '{{.Repository}}:{{.Tag}}' "$app" | xargs -r docker image rm >/dev/null 2>&1 || true
  done
  for prefix in "$work"/*/nginx; do
    [ -f "$prefix/logs/nginx.pid" ] && nginx -p "$prefix" -c conf/nginx.conf -s quit 2>/dev/null || true
  done
  [ -n "$published" ] && rm -rf "$published"
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

while IFS= read -r name; do unset "$name"; done < <(env | grep -o '^DEPLOYMIND__[^=]*' || true)
export DEPLOYMIND_MACHINE_CONFIG="$root/scripts/base-images/local.yml"

label_of() {
  local dir; dir=$(dirname "$1")
  [ "$dir" = "$published" ] && dir="$root/src/DeployMind.Cli"
  local sha; sha=$(git -C "$dir" rev-parse --short HEAD 2>/dev/null) || { basename "$dir"; return; }
  [ -n "$(git -C "$dir" status --porcelain -- "$(git -C "$dir" rev-parse --show-toplevel)/src" 2>/dev/null)" ] && sha="$sha+dirty"
  echo "$sha"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# One round: example $2 with build $1 in $3; prints "seconds" of the rollback.
run_round() {
  local dll=$1 example=$2 dir=$3
  local app; app="bench-rb-$(basename "$work" | tr -dc "a-zA-Z0-9" | tail -c 6 | tr "A-Z" "a-z")-$(basename "$dir")"
  mkdir -p "$dir/home" "$dir/nginx"
  # The folder is named after the app: the images are <app>:<content hash>, removed by name at the end.
  local folder="$dir/$app"
  cp -r "$root/examples/$example" "$folder"
  rm -rf "$folder/node_modules"
  if [ -n "$strip_sigterm" ]; then
    for entry in "$folder/server.js" "$folder/app.py"; do [ -f "$entry" ] && sed -i '/SIGTERM/d' "$entry"; done
    # Go: SIGTERM out of signal.Notify (and the syscall import with it); the signal's default action then ends the app.
    [ -f "$folder/main.go" ] && sed -i -e 's/syscall.SIGTERM, //' -e '/"syscall"/d' "$folder/main.go"
  fi
  local port; port=$(free_port)
  # The port in the configuration: deploys and the rollback all serve there.
  { echo "app: $app"; echo "environments:"; echo "  production:"; echo "    target: { docker: { port: $port } }";
    [ -n "$extra_yml" ] && printf '%s\n' "$extra_yml"; } > "$folder/deploymind.yml"
  export DEPLOYMIND_HOME="$dir/home" DEPLOYMIND__DATABASE__PATH="$dir/home/deploymind.db" DEPLOYMIND__NGINX__PREFIX="$dir/nginx"
  dotnet "$dll" deploy "$folder" --output json > "$dir/deploy1.json" 2> "$dir/deploy1.log" \
    || { echo "first deploy failed:" >&2; tail -5 "$dir/deploy1.log" "$dir/deploy1.json" >&2; return 1; }
  # A second release: another image (a comment in the app's entry point changes the content hash).
  if [ -f "$folder/server.js" ]; then echo "// second release" >> "$folder/server.js"
  elif [ -f "$folder/main.go" ]; then echo "// second release" >> "$folder/main.go"; else echo "# second release" >> "$folder/app.py"; fi
  dotnet "$dll" deploy "$folder" --output json > "$dir/deploy2.json" 2> "$dir/deploy2.log" \
    || { echo "second deploy failed:" >&2; tail -5 "$dir/deploy2.log" "$dir/deploy2.json" >&2; return 1; }
  local started ended
  started=$(date +%s%N)
  dotnet "$dll" rollback "$folder" --env production --output json > "$dir/rollback.json" 2> "$dir/rollback.log" \
    || { echo "rollback failed:" >&2; tail -5 "$dir/rollback.log" "$dir/rollback.json" >&2; return 1; }
  ended=$(date +%s%N)
  curl --silent --fail --max-time 5 --output /dev/null "http://127.0.0.1:$port/" || { echo "nothing answers on $port after the rollback" >&2; return 1; }
  # wall / the switch as the CLI reports its duration (start the kept release, health checks, nginx, drain, stop
  # the release rolled back from) / the health wait inside it.
  python3 - "$dir/rollback.json" "$started" "$ended" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
o = r.get("outcome") or {}
def secs(t):
    if not t: return 0.0
    h, m, s = t.split(":"); return int(h) * 3600 + int(m) * 60 + float(s)
print(f"{(int(sys.argv[3]) - int(sys.argv[2])) / 1e9:.2f}/{secs(o.get('duration')):.2f}/{secs((o.get('health') or {}).get('elapsed')):.2f}")
PY
}

declare -A results
order=()
for i in "${!builds[@]}"; do order+=("$i"); done
n=0
for round in $(seq 1 "$rounds"); do
  # A B, then B A, ...: both builds see the same load.
  if [ ${#builds[@]} -eq 2 ] && [ $((round % 2)) -eq 0 ]; then seq_builds=(1 0); else seq_builds=("${order[@]}"); fi
  for b in "${seq_builds[@]}"; do
    for example in $examples; do
      n=$((n + 1))
      dir="$work/r$n"
      mkdir -p "$dir"
      s=$(run_round "${builds[$b]}" "$example" "$dir")
      echo "round $round, build $(label_of "${builds[$b]}"), $example: rollback $s s (wall/switch/health wait)" >&2
      results["$b|$example"]+="$s "
    done
  done
done

{
  echo "| build | example | rollback wall / switch / health wait (s), each round | median wall (s) | max wall (s) |"
  echo "| --- | --- | --- | ---: | ---: |"
  for b in "${!builds[@]}"; do
    for example in $examples; do
      vals=${results["$b|$example"]}
      python3 - "$(label_of "${builds[$b]}")" "$example" $vals <<'PY'
import statistics, sys
label, example, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
walls = [float(p.split("/")[0]) for p in pairs]
print(f"| {label} | {example} | {', '.join(p.replace('/', ' / ') for p in pairs)} | {statistics.median(walls):.2f} | {max(walls):.2f} |")
PY
    done
  done
} > "$work/table.md"
cat "$work/table.md"
