# shellcheck shell=bash
# ./stack fault: the fault-injection run alone.
# Sourced by ./stack (ROOT, the ports and the other constants are set there).

# The fault-injection run kills services and stops RabbitMQ and Postfix: it runs alone, after
# every other test project, unless arguments choose what to run.
FAULT_PROJECT="tests/FaultInjection.Tests/SalesMind.FaultInjection.Tests.csproj"

# The fault-injection run on its own: --long for 5,000 registrations, or --registrations N.
cmd_fault() {
  local n=300
  while [[ $# -gt 0 ]]; do
    case $1 in
      --long) n=5000 ;;
      --registrations) shift; n=${1:?--registrations needs a number} ;;
      *) die "usage: ./stack fault [--long | --registrations N]" ;;
    esac
    shift
  done
  cmd_up
  unlock_stack
  local results
  results="$STACK/test-results/fault-$(date +%Y%m%d-%H%M%S)"
  SALESMIND_FAULT_REGISTRATIONS=$n dotnet test "$FAULT_PROJECT" -c Release --no-build --logger trx \
    --logger "console;verbosity=normal" --results-directory "$results" </dev/null || true
  summarize_trx "$results"
}
