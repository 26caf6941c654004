# shellcheck shell=bash
# Building the solution, ./stack test and its summary of the TRX files.
# Sourced by ./stack (ROOT, the ports and the other constants are set there).

require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK (dotnet) is not installed: https://dot.net/download"
}

build_solution() {
  require_dotnet
  say "building SalesMind.sln (Release; log in .stack/logs/build.log)"
  if ! dotnet build "$SLN" -c Release -nologo -tl:off -v minimal >"$LOGS/build.log" 2>&1 </dev/null 9>&-; then
    if grep -qE ': error [A-Z]+[0-9]*:' "$LOGS/build.log"; then
      grep -E ': error [A-Z]+[0-9]*:' "$LOGS/build.log" | sed -e "s|$ROOT/||g" | sort -u | head -n 40 >&2
    else
      tail -n 30 "$LOGS/build.log" >&2
    fi
    die "build failed (full log: .stack/logs/build.log)"
  fi
  local warnings
  warnings="$(grep -Eo '^ *[0-9]+ Warning\(s\)' "$LOGS/build.log" | tail -n 1 | tr -dc '0-9' || true)"
  if [[ -n "$warnings" && "$warnings" != 0 ]]; then note "build ok, $warnings warning(s) (see .stack/logs/build.log)"; fi
}

# Reads one attribute of the <Counters .../> element held in $1 (0 when absent).
counter() { local v; v="$(sed -n "s/.* $2=\"\([0-9]*\)\".*/\1/p" <<<"$1")"; printf '%s' "${v:-0}"; }

# Sums the <Counters .../> of every TRX file under $1, prints a table per test assembly and
# the final `N passed, N failed[, N skipped]` line. Returns 1 when a test failed.
summarize_trx() {
  local dir=$1 file name c p f s total_p=0 total_f=0 total_s=0
  printf '\n%-44s %7s %7s %8s\n' 'TEST PROJECT' PASSED FAILED SKIPPED
  while IFS= read -r file; do
    c="$(tr '\n' ' ' <"$file" | grep -o '<Counters [^>]*>' | head -n 1 || true)"
    p="$(counter "$c" passed)"
    # errors, timeouts and aborts are failures too
    f=$(($(counter "$c" failed) + $(counter "$c" error) + $(counter "$c" timeout) + $(counter "$c" aborted)))
    # VSTest leaves notExecuted at 0 for skipped xunit tests: they show as total - executed.
    s="$(counter "$c" notExecuted)"
    if ((s == 0)); then s=$(($(counter "$c" total) - $(counter "$c" executed))); fi
    ((s >= 0)) || s=0
    # A project whose tests were all filtered out (the fault run in the first phase) says nothing.
    ((p + f + s > 0)) || continue
    name="$(grep -o 'codeBase="[^"]*"' "$file" | head -n 1 | sed -e 's/^codeBase="//' -e 's/"$//')"
    name="${name##*/}"
    name="${name%.dll}"
    [[ -n "$name" ]] || name="$(basename "$file" .trx)"
    printf '%-44s %7s %7s %8s\n' "$name" "$p" "$f" "$s"
    total_p=$((total_p + p))
    total_f=$((total_f + f))
    total_s=$((total_s + s))
  done < <(find "$dir" -name '*.trx' -type f | sort)
  # The compose-test's steps, one test each (written by ./stack test).
  if [[ -f $dir/compose-test.counts ]]; then
    read -r name p f s <"$dir/compose-test.counts"
    printf '%-44s %7s %7s %8s\n' "$name (steps)" "$p" "$f" "$s"
    total_p=$((total_p + p))
    total_f=$((total_f + f))
    total_s=$((total_s + s))
  fi
  printf '\nTRX files: %s\n' "${dir#"$ROOT"/}"
  if ((total_p + total_f + total_s == 0)); then
    echo "error: no test ran (a --filter that matches nothing?)" >&2
  fi
  if ((total_s > 0)); then
    printf '%s passed, %s failed, %s skipped\n' "$total_p" "$total_f" "$total_s"
  else
    printf '%s passed, %s failed\n' "$total_p" "$total_f"
  fi
  ((total_f == 0 && total_p + total_s > 0))
}

cmd_test() {
  cmd_up
  unlock_stack
  [[ -f "$SLN" ]] || die "SalesMind.sln not found: nothing to test"
  local results rc=0
  results="$STACK/test-results/$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$results"
  if [[ $# -gt 0 || ! -f "$FAULT_PROJECT" ]]; then
    say "dotnet test SalesMind.sln${*:+ $*} (results in ${results#"$ROOT"/})"
    dotnet test "$SLN" -c Release --no-build --logger trx --results-directory "$results" "$@" </dev/null || rc=$?
  else
    say "dotnet test SalesMind.sln, all but the fault-injection run (results in ${results#"$ROOT"/})"
    dotnet test "$SLN" -c Release --no-build --logger trx --results-directory "$results" \
      --filter "FullyQualifiedName!~SalesMind.FaultInjection" </dev/null || rc=$?
    say "fault-injection run (${SALESMIND_FAULT_REGISTRATIONS:-300} registrations; ./stack fault --long for 5,000)"
    dotnet test "$FAULT_PROJECT" -c Release --no-build --logger trx --logger "console;verbosity=normal" \
      --results-directory "$results" </dev/null || rc=$?
  fi
  # The production compose kit, last: every test, unless a filter chose some (or it is turned off).
  if [[ $# -eq 0 && ${SALESMIND_COMPOSE_TEST:-1} != 0 ]]; then
    say "compose-test: the production docker-compose.yml in containers (./stack compose-test)"
    SALESMIND_COMPOSE_COUNTS="$results/compose-test.counts" "$ROOT/stack" compose-test </dev/null || rc=$?
    # Stopped before it could count (a build failed): one failure.
    [[ -f $results/compose-test.counts ]] || echo "compose-test 0 1 0" >"$results/compose-test.counts"
  fi
  if [[ -z "$(find "$results" -name '*.trx' -type f -print -quit)" ]]; then
    echo "error: no TRX file was produced (dotnet test exit code $rc)" >&2
    echo "0 passed, 0 failed"
    return 1
  fi
  local summary_rc=0
  summarize_trx "$results" || summary_rc=1
  if ((rc != 0 || summary_rc != 0)); then
    return 1
  fi
}

# ./stack unit: the tests that need no service (pure rules, parsers, the template language, the
# namespace layering), for a developer's inner loop. Nothing is installed or started.
cmd_unit() {
  require_dotnet
  say "dotnet test tests/Unit.slnf${*:+ $*} (no services needed)"
  dotnet test "$ROOT/tests/Unit.slnf" -c Release "$@" </dev/null
}
