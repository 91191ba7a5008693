#!/usr/bin/env bash
# A job's start-up cost: from the moment a worker takes a queued job to the job's first pipeline step (`scanning`),
# measured with the real CLI. For each build of the CLI given (a built deploymind.dll), each variant and each round:
#   1. a fresh DEPLOYMIND_HOME (SQLite records + embedded queue; the machine's and user's config files are not read),
#   2. JOBS x `deploymind deploy --queue` of a small app whose committed files hold a fake AWS key (generated here,
#      never printed): the scan blocks it, so every job ends right after its first pipeline step,
#   3. `deploymind worker --concurrency 1` until the queue is empty (then SIGTERM), its peak RSS and CPU read from /proc,
#   4. `deploymind list --output json`, and per job the time from the end of the previous job (concurrency 1: the worker
#      acks it and takes the next job at once) to the job's `scanning` event.
# Variants: "folder" (a local app folder) and "repo" (--repo of a local git repository: the worker fetches it per job).
# With two builds, rounds alternate between them (A B B A ...), so both see the same machine load; the table gives
# after/before ratios. Writes bench/results/jobs.md (OUT=... elsewhere).
#
# usage: bench/jobs/run.sh [BEFORE.dll [AFTER.dll]]
#   default BEFORE: this worktree's src/DeployMind.Cli/bin/Release/net10.0/deploymind.dll (built first).
#   JOBS=20 (2-200) jobs per round, ROUNDS (1-10; default 2, or 3 with two builds), VARIANTS="folder repo",
#   ROUND_TIMEOUT=900 seconds per worker run.
# Needs: dotnet, git, python3, sqlite3 (to see the queue drain without starting a CLI process during the measurement).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
jobs_n=${JOBS:-20}
variants=${VARIANTS:-"folder repo"}
round_timeout=${ROUND_TIMEOUT:-900}
out=${OUT:-$root/bench/results/jobs.md}
environment=production

[ $# -le 2 ] || { echo "usage: $0 [BEFORE.dll [AFTER.dll]]" >&2; exit 2; }
builds=("$@")
if [ ${#builds[@]} -eq 0 ]; then
  dotnet build "$root/src/DeployMind.Cli" -c Release -nologo -v quiet >/dev/null
  builds=("$root/src/DeployMind.Cli/bin/Release/net10.0/deploymind.dll")
fi
rounds=${ROUNDS:-$([ ${#builds[@]} -eq 2 ] && echo 3 || echo 2)}
[[ "$jobs_n" =~ ^[0-9]+$ ]] && [ "$jobs_n" -ge 2 ] && [ "$jobs_n" -le 200 ] || { echo "JOBS must be 2-200" >&2; exit 2; }
[[ "$rounds" =~ ^[0-9]+$ ]] && [ "$rounds" -ge 1 ] && [ "$rounds" -le 10 ] || { echo "ROUNDS must be 1-10" >&2; exit 2; }
for v in $variants; do [[ "$v" == folder || "$v" == repo ]] || { echo "VARIANTS: folder and/or repo, not '$v'" >&2; exit 2; }; done
for dll in "${builds[@]}"; do [ -f "$dll" ] || { echo "no such build: $dll" >&2; exit 2; }; done
for tool in dotnet git python3 sqlite3; do command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }; done

work=$(mktemp -d /tmp/bench-jobs-XXXXXX)
worker=""
cleanup() {
  if [ -n "$worker" ]; then kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Nothing of the caller's DeployMind settings may leak in.
while IFS= read -r name; do unset "$name"; done < <(env | grep -o '^DEPLOYMIND__[^=]*' || true)
export DEPLOYMIND_MACHINE_CONFIG=/nonexistent

# A build's label: the commit of the checkout it was built in (+dirty when its src/ has changes).
label_of() {
  local dir; dir=$(dirname "$1")
  local sha; sha=$(git -C "$dir" rev-parse --short HEAD 2>/dev/null) || { basename "$(dirname "$(dirname "$dir")")"; return; }
  [ -n "$(git -C "$dir" status --porcelain -- "$(git -C "$dir" rev-parse --show-toplevel)/src" 2>/dev/null)" ] && sha="$sha+dirty"
  echo "$sha"
}

# The app: a static site whose settings.env holds an AWS-shaped key id and secret made up here (random, so no
# allowlist treats them as documentation examples); the secret scan (the first pipeline step) blocks it.
write_app() {
  local dir=$1
  mkdir -p "$dir"
  printf 'app: bench-jobs\n' > "$dir/deploymind.yml"
  printf '<h1>bench-jobs</h1>\n' > "$dir/index.html"
  {
    echo "# Fake credentials made up by bench/jobs/run.sh so that the secret scan blocks this app."
    echo "AWS_ACCESS_KEY_ID=AKIA$(LC_ALL=C tr -dc 'A-Z2-7' </dev/urandom | head -c 16)"
    echo "aws_secret_access_key = $(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40)"
  } > "$dir/settings.env"
}

# Jobs not finished yet: read from the embedded queue's table (no CLI process competing with the worker); if that
# table is not there (another build's schema), from `deploymind queue --output json`, at most every 5 s.
pending_jobs() {
  local dll=$1 db=$2
  if sqlite3 -readonly "$db" "select count(*) from jobs where DeadAtMs is null" 2>/dev/null; then
    return
  fi

  sleep 4.5
  dotnet "$dll" queue --output json 2>/dev/null \
    | python3 -c 'import json, sys; print(sum(q["waiting"] + q["inFlight"] for q in json.load(sys.stdin)["queues"]))' 2>/dev/null \
    || echo "?"
}

# One round: queue JOBS jobs with build $1 (variant $2) in $3, run the worker until they are done, summarise.
run_round() {
  local dll=$1 variant=$2 dir=$3
  mkdir -p "$dir/home"
  export DEPLOYMIND_HOME="$dir/home"
  export DEPLOYMIND__DATABASE__PATH="$dir/home/deploymind.db" DEPLOYMIND__QUEUE__PROVIDER=embedded
  local source=()
  if [ "$variant" = folder ]; then
    write_app "$dir/app"
    source=("$dir/app")
  else
    write_app "$dir/repo"
    git -C "$dir/repo" init -q -b main
    git -C "$dir/repo" -c user.name=bench -c user.email=bench@example.invalid add -A
    git -C "$dir/repo" -c user.name=bench -c user.email=bench@example.invalid commit -qm "bench app"
    source=(--repo "$dir/repo" --ref main)
  fi

  for _ in $(seq 1 "$jobs_n"); do
    dotnet "$dll" deploy "${source[@]}" --queue --env "$environment" --output json >> "$dir/enqueued.json" 2>> "$dir/enqueue.log" \
      || { echo "deploy --queue failed:" >&2; tail -5 "$dir/enqueue.log" >&2; return 1; }
  done

  local db="$dir/home/deploymind.db"
  local started; started=$(date +%s%N)
  dotnet "$dll" worker --environment "$environment" --concurrency 1 --name bench-worker > "$dir/worker.log" 2>&1 &
  worker=$!
  local deadline=$((SECONDS + round_timeout)) left
  while :; do
    sleep 0.5
    kill -0 "$worker" 2>/dev/null || { echo "the worker exited early:" >&2; tail -20 "$dir/worker.log" >&2; worker=""; return 1; }
    left=$(pending_jobs "$dll" "$db")
    [ "$left" = 0 ] && break
    [ "$SECONDS" -ge "$deadline" ] && { echo "round timed out with $left jobs left" >&2; break; }
  done
  local hwm cpu
  hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$worker/status")
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$worker/stat")
  kill -TERM "$worker"
  wait "$worker" || true
  worker=""

  dotnet "$dll" list --env "$environment" --limit $((jobs_n + 10)) --output json > "$dir/records.json"
  python3 - "$dir/records.json" "$started" "$hwm" "$cpu" "$jobs_n" > "$dir/summary.json" <<'PY'
import json, sys
from datetime import datetime
records, started_ns, hwm_kb, cpu_s, expected = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
deps = json.load(open(records))
t = lambda s: datetime.fromisoformat(s).timestamp()
jobs = []
for d in deps:
    ev = d["events"]
    scan = next((t(e["at"]) for e in ev if e["transition"] and e["to"] == "scanning"), None)
    if scan is None:
        continue
    jobs.append({"scan": scan, "first": t(ev[0]["at"]), "last": t(ev[-1]["at"]), "blocked": d.get("failedStage") == "scan"})
jobs.sort(key=lambda j: j["scan"])
gaps = [round((b["scan"] - a["last"]) * 1000) for a, b in zip(jobs, jobs[1:])]
own = [round((j["scan"] - j["first"]) * 1000) for j in jobs[1:]]
print(json.dumps({
    "jobs": len(jobs), "expected": expected, "blocked": sum(j["blocked"] for j in jobs),
    "gaps_ms": gaps, "own_ms": own,
    "cold_ms": round((jobs[0]["scan"] - started_ns / 1e9) * 1000) if jobs else None,
    "drain_s": round(jobs[-1]["last"] - started_ns / 1e9, 2) if jobs else None,
    "rss_mb": round(hwm_kb / 1024, 1), "cpu_s": cpu_s,
}))
g = sorted(gaps)
median = "-" if not g else g[len(g) // 2] if len(g) % 2 else (g[len(g) // 2 - 1] + g[len(g) // 2]) / 2
print(f"  {len(jobs)}/{expected} jobs, median dequeue -> scanning {median} ms, peak RSS {round(hwm_kb / 1024)} MB", file=sys.stderr)
PY
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
labels=()
for dll in "${builds[@]}"; do labels+=("$(label_of "$dll")"); done
echo "builds: ${labels[*]}; JOBS=$jobs_n ROUNDS=$rounds VARIANTS=\"$variants\"" >&2

for r in $(seq 1 "$rounds"); do
  for variant in $variants; do
    order=(0)
    if [ ${#builds[@]} -eq 2 ]; then
      # A B, then B A: neither build always runs first.
      if [ $((r % 2)) -eq 1 ]; then order=(0 1); else order=(1 0); fi
    fi
    for i in "${order[@]}"; do
      echo "round $r, $variant, ${labels[$i]}:" >&2
      run_round "${builds[$i]}" "$variant" "$work/b$i-$variant-r$r"
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Aggregate: per build and variant, every job of every round pooled.
table=$(python3 - "$work" "${#builds[@]}" "$variants" <<'PY'
import glob, json, math, os, sys
work, nbuilds, variants = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)] if xs else None
def med(xs):
    xs = sorted(xs)
    n = len(xs)
    return None if n == 0 else (xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2)
rows = []
for v in variants:
    per = []
    for b in range(nbuilds):
        s = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(work, f"b{b}-{v}-r*", "summary.json")))]
        gaps = [g for x in s for g in x["gaps_ms"]]
        own = [g for x in s for g in x["own_ms"]]
        per.append({
            "dequeue → scanning, median (ms)": med(gaps),
            "dequeue → scanning, p90 (ms)": pct(gaps, 90),
            "dequeue → scanning, min (ms)": min(gaps) if gaps else None,
            "dequeue → scanning, max (ms)": max(gaps) if gaps else None,
            "jobs measured (rounds)": f"{len(gaps)} ({len(s)})",
            "lock note → scanning, median (ms)": med(own),
            "first job after worker start, median (ms)": med([x["cold_ms"] for x in s]),
            "worker peak RSS, max (MB)": max(x["rss_mb"] for x in s) if s else None,
            "worker CPU / jobs, start included, median (ms)": med([round(x["cpu_s"] * 1000 / x["jobs"]) for x in s if x["jobs"]]),
            "jobs blocked at scan / queued": f'{sum(x["blocked"] for x in s)} / {sum(x["expected"] for x in s)}',
        })
    for key in per[0]:
        cells = [per[b][key] for b in range(nbuilds)]
        fmt = lambda c: "—" if c is None else (f"{c:.0f}" if isinstance(c, float) and key.endswith("(ms)") else str(c))
        ratio = ""
        if nbuilds == 2:
            a, b = cells
            ratio = f"{b / a:.2f}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a else ""
            rows.append(f"| {v} | {key} | {fmt(a)} | {fmt(b)} | {ratio} |")
        else:
            rows.append(f"| {v} | {key} | {fmt(cells[0])} | — |")
print("\n".join(rows))
PY
)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
mem=$(awk '/^MemTotal:/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
{
  echo "# A job's start-up cost (dequeue to first pipeline step)"
  echo
  echo "What ran: \`bench/jobs/run.sh\` (JOBS=$jobs_n, ROUNDS=$rounds, VARIANTS=\"$variants\"), $(date -u '+%F %H:%M') UTC. Per round: a fresh"
  echo "\`DEPLOYMIND_HOME\` (SQLite records, embedded queue; no machine or user config read), $jobs_n × \`deploymind deploy --queue\`"
  echo "of a small static app whose committed \`settings.env\` holds a made-up AWS key (random, generated by the script, never"
  echo "printed), then \`deploymind worker --concurrency 1\` until the queue is empty. The secret scan blocks every job, so each"
  echo "job is: take it from the queue, prepare it (configuration, source), lock its target, start the pipeline (\`scanning\`),"
  echo "fail at the scan, ack. *folder*: \`deploy PATH --queue\`; *repo*: \`deploy --repo <local git repository> --queue\`, so"
  echo "the worker fetches the repository for each job."
  echo
  echo "**Dequeue → scanning** is, per job, the time from the previous job's last recorded event (its \`failed\`) to this"
  echo "job's \`scanning\` event. With one job at a time and every job queued before the worker starts, the worker acks the"
  echo "previous job and takes this one right after that event, so the interval is: the rest of the previous job (its
host disposed, its ack) + take + prepare + lock + pipeline"
  echo "start, i.e. the whole start-up of a job. The first job of each round is left out (it also pays the worker's own"
  echo "start; shown as *first job after worker start*). The earliest event a worker records for a job is its lock note"
  echo "(\"holding docker:local with fencing token N\"), written after the job was prepared: *lock note → scanning* is"
  echo "only the part after preparation, shown to tell where the time goes. Peak RSS is the worker's VmHWM after all"
  echo "jobs; CPU is its user+system time over the round divided by the jobs."
  echo
  echo "Machine: $(nproc) cores ($cpu), $mem, \`dotnet --version\` $(dotnet --version), $(uname -sr). Shared with other"
  echo "builds and test runs: load average $load_before (1/5/15 min) before, $load_after after; absolute times move with"
  echo "that load, which is why two builds are measured in alternating rounds of one run and compared as ratios."
  echo
  if [ ${#builds[@]} -eq 2 ]; then
    echo "| variant | measure | before (commit ${labels[0]}) | after (commit ${labels[1]}) | after/before |"
    echo "| --- | --- | ---: | ---: | ---: |"
  else
    echo "| variant | measure | before (commit ${labels[0]}) | after |"
    echo "| --- | --- | ---: | ---: |"
  fi
  echo "$table"
  echo
  if [ ${#builds[@]} -eq 1 ]; then
    echo "The *after* column will be filled by the one-container-per-process change (issue 14, \"Jobs\"): run"
    echo "\`bench/jobs/run.sh BEFORE/deploymind.dll AFTER/deploymind.dll\` with a build of ${labels[0]} and one of the change,"
    echo "which measures both in alternating rounds and adds the ratios."
  fi
} > "$out"
echo "wrote ${out#"$root"/}" >&2
