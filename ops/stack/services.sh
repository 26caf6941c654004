# shellcheck shell=bash
# Identity and Notifier (.NET): instances, settings, migrations, start, stop, readiness.
# Sourced by ./stack (ROOT, the ports and the other constants are set there).

# ---------------------------------------------------------------------------------------------
# Identity and Notifier (.NET)

# A service instance is `identity` or `notifier`, or `identity-N` / `notifier-N` for extra
# instances (N = 2..9) on ports 5001/5002 + 10 × (N - 1): same build, same databases and queues.
svc_base() { echo "${1%%-*}"; }
svc_index() { if [[ $1 == *-* ]]; then echo "${1##*-}"; else echo 1; fi; }
svc_valid() { [[ $1 =~ ^(identity|notifier)(-[2-9])?$ ]]; }
svc_project() { case $(svc_base "$1") in identity) echo Identity ;; notifier) echo Notifier ;; esac; }
svc_port() {
  local base
  case $(svc_base "$1") in identity) base=$IDENTITY_PORT ;; notifier) base=$NOTIFIER_PORT ;; esac
  echo $((base + 10 * ($(svc_index "$1") - 1)))
}
svc_bindir() { echo "$ROOT/services/$(svc_project "$1")/bin/Release/net10.0"; }
svc_dll() { echo "$(svc_bindir "$1")/SalesMind.$(svc_project "$1").dll"; }
svc_pidfile() { echo "$RUN/$1.pid"; }
svc_pid() { pid_from "$(svc_pidfile "$1")"; }
svc_running() {
  local pid
  pid="$(svc_pid "$1")"
  alive "$pid" && grep -qa "SalesMind.$(svc_project "$1").dll" "/proc/$pid/cmdline" 2>/dev/null
}

# The admin-token key pair (ES256), made once: Identity signs with the private key, the
# Notifier gets only the public one. Made in a temporary directory and moved into place, so
# two commands starting at once cannot end up with halves of different pairs.
AUTH_KEYS="$STACK/auth"
ensure_auth_keys() {
  [[ -f "$AUTH_KEYS/admin-token.pub" ]] && return 0
  local tmp
  mkdir -p "$STACK"
  tmp="$(mktemp -d "$STACK/auth.XXXXXX")"
  if ! (umask 077 && openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$tmp/admin-token.key" &&
    openssl ec -in "$tmp/admin-token.key" -pubout -out "$tmp/admin-token.pub" 2>/dev/null); then
    rm -rf "$tmp"
    die "openssl could not make the admin-token key pair"
  fi
  mv -T "$tmp" "$AUTH_KEYS" 2>/dev/null || rm -rf "$tmp"
}

# The services read appsettings.json from their content root, which defaults to the working
# directory: point it at the build output, and keep the repository root as working directory.
svc_env() {
  local base
  base="$(svc_base "$1")"
  ensure_auth_keys
  printf '%s\n' "ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}" \
    "ASPNETCORE_CONTENTROOT=$(svc_bindir "$1")" "Auth__PublicKeyFile=$AUTH_KEYS/admin-token.pub" \
    "RabbitMq__Username=salesmind-$base" "RabbitMq__Password=$(stack_secret "rabbitmq-salesmind-$base")"
  if [[ $base == identity ]]; then
    printf '%s\n' "Auth__PrivateKeyFile=$AUTH_KEYS/admin-token.key"
  fi
  if [[ $base == notifier ]]; then
    # The stack's own keys, not the public placeholders in appsettings.Development.json: whoever
    # reads the repository must not be able to sign return paths or open sealed emails here.
    printf '%s\n' "RabbitMq__ManagementUsername=salesmind-monitor" \
      "RabbitMq__ManagementPassword=$(stack_secret rabbitmq-salesmind-monitor)" \
      "Bounces__SigningKey=$(stack_secret bounce-signing-key)" \
      "Notifier__BodyEncryptionKey=$(stack_secret body-encryption-key base64)"
    resolver_env
  fi
  # The Notifier reads Postfix's log to settle deliveries left in doubt by a crash.
  # and listens for delivery reports (each instance on its own port; Postfix sends them to the first).
  if [[ $(svc_base "$1") == notifier ]]; then
    printf '%s\n' "Smtp__MailLogPath=$LOGS/postfix.log" "Bounces__Domain=$BOUNCE_DOMAIN" \
      "Bounces__ListenPort=$((BOUNCE_PORT + 10 * ($(svc_index "$1") - 1)))"
  fi
}

migrate() {
  local svc=$1 dll out="$RUN/migrate.out" envs=()
  dll="$(svc_dll "$svc")"
  [[ -f "$dll" ]] || die "$dll not found after the build"
  mapfile -t envs < <(svc_env "$svc")
  say "migrating $svc database"
  # In a subshell that does more than exec: a crash report ("Aborted") lands in the log too.
  local rc=0
  (env "${envs[@]}" dotnet "$dll" migrate || exit $?) >"$out" 2>&1 </dev/null 9>&- || rc=$?
  { printf '\n===== %s migrate %s (exit %s) =====\n' "$(date '+%F %T')" "$svc" "$rc"; cat "$out"; } >>"$LOGS/migrate.log"
  if ((rc != 0)); then
    tail -n 30 "$out" >&2
    die "$svc migrate failed (log: .stack/logs/migrate.log)"
  fi
}

stop_service() {
  local svc=$1 pid i
  pid="$(svc_pid "$svc")"
  if svc_running "$svc"; then
    say "stopping $svc (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 75; i++)); do alive "$pid" || break; sleep 0.2; done
    if alive "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$(svc_pidfile "$svc")"
}

start_service() {
  local svc=$1 port dll log
  port="$(svc_port "$svc")"
  dll="$(svc_dll "$svc")"
  log="$LOGS/$svc.log"
  require_free_port "$svc" "$port"
  say "starting $svc on http://127.0.0.1:$port (log: .stack/logs/$svc.log)"
  printf '\n===== %s starting %s =====\n' "$(date '+%F %T')" "$svc" >>"$log"
  # setsid: own session and process group, so the service survives this shell and `stop`
  # can signal the whole group.
  local envs=()
  mapfile -t envs < <(svc_env "$svc")
  env "${envs[@]}" setsid nohup dotnet "$dll" --urls "http://127.0.0.1:$port" >>"$log" 2>&1 </dev/null 9>&- &
  echo $! >"$(svc_pidfile "$svc")"
}

wait_ready() {
  local svc=$1 port pid code deadline
  port="$(svc_port "$svc")"
  pid="$(svc_pid "$svc")"
  deadline=$((SECONDS + READY_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! alive "$pid"; then
      tail -n 40 "$LOGS/$svc.log" >&2
      die "$svc exited during start-up (log: .stack/logs/$svc.log)"
    fi
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health/ready" || true)"
    [[ "$code" == 200 ]] && return 0
    sleep 0.5
  done
  tail -n 40 "$LOGS/$svc.log" >&2
  die "$svc not ready after ${READY_TIMEOUT}s: http://127.0.0.1:$port/health/ready answered '${code:-nothing}' (log: .stack/logs/$svc.log)"
}

# Restart a service only when it is down or its build output changed since it started.
ensure_service() {
  local svc=$1 force=${2:-}
  if [[ -z "$force" ]] && svc_running "$svc" &&
     [[ -z "$(find "$(svc_bindir "$svc")" -type f -newer "$(svc_pidfile "$svc")" -print -quit 2>/dev/null)" ]]; then
    note "$svc already running with the current build (pid $(svc_pid "$svc"))"
    return 0
  fi
  stop_service "$svc"
  start_service "$svc"
}

dotnet_up() {
  if [[ ! -f "$SLN" ]]; then
    say "SalesMind.sln not found: skipping build, migrations, Identity and Notifier (infrastructure only)"
    return 0
  fi
  build_solution
  migrate identity
  migrate notifier
  ensure_service identity
  ensure_service notifier
  say "waiting for /health/ready (up to ${READY_TIMEOUT}s)"
  wait_ready identity
  wait_ready notifier
}
