#!/usr/bin/env bash
# Runs the whole test suite (unit + integration) and prints `tests: N passed, N failed, N skipped`
# from the TRX results. Needs a running Docker engine and the local base images (scripts/bootstrap.sh).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

cd "$root"
dotnet build DeployMind.slnx --configuration Release -warnaserror -nologo -v quiet
build=$?
if [ $build -ne 0 ]; then
  echo "tests: 0 passed, 1 failed (the build failed)"
  exit 1
fi

dotnet test DeployMind.slnx --configuration Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results"
status=$?

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  total=$(get total); executed=$(get executed)
  skipped=$((skipped + total - executed))
done

if [ $files -eq 0 ]; then
  echo "tests: 0 passed, 1 failed (no test results were written)"
  exit 1
fi
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then
  failed=1  # the runner failed without a failed test (crash, abort): never report green
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ $status -eq 0 ]
