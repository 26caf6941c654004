# shellcheck shell=bash
# The commands that run and inspect the local stack: up, down, restart, start, stop, kill,
# status, logs, reset; and the lock that keeps two of them from changing it at once.
# Sourced by ./stack (ROOT, the ports and the other constants are set there).

# ---------------------------------------------------------------------------------------------
# commands

# One ./stack at a time changes the stack (two `up`s at once would race for the same ports).
# The lock is fd 9: every daemon is started with 9>&- so it does not inherit (and keep) it.
lock_stack() {
  mkdir -p "$LOGS" "$RUN"
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$RUN/stack.lock"
  if ! flock -n 9; then
    say "another ./stack is changing the stack; waiting for it (up to 10 min)"
    flock -w 600 9 || die "gave up waiting for the other ./stack"
  fi
}

unlock_stack() { exec 9>&-; }

prepare() {
  lock_stack
  ensure_packages
  ensure_traversable
}

cmd_up() {
  local started=$SECONDS
  prepare
  start_postgres
  start_rabbitmq
  start_postfix
  start_nginx
  start_resolver
  dotnet_up
  say "stack up in $((SECONDS - started))s"
  cat <<EOF

  Front door (register page)  http://127.0.0.1:$HTTP_PORT/
  RabbitMQ management         http://127.0.0.1:$RABBIT_MGMT_PORT/  (guest / guest)
  Identity health             http://127.0.0.1:$IDENTITY_PORT/health/ready
  Notifier health             http://127.0.0.1:$NOTIFIER_PORT/health/ready
  PostgreSQL                  psql -h 127.0.0.1 -p $PG_PORT -U postgres
  SMTP (Postfix)              127.0.0.1:$SMTP_PORT; mail for *@mail.test lands in .stack/mail/new/
  Test resolver (DNS)         dig @127.0.0.1 -p $DNS_PORT TXT _dmarc.$STACK_SENDER_DOMAIN  (zones: .stack/dns/*.zone)
  Logs                        ./stack logs [part] [-f]   (files in .stack/logs/)

EOF
}

cmd_down() {
  lock_stack
  local f
  for f in "$RUN"/identity-*.pid "$RUN"/notifier-*.pid; do [[ -e $f ]] && stop_service "$(basename "$f" .pid)"; done
  stop_service identity
  stop_service notifier
  stop_nginx
  stop_resolver
  stop_postfix
  stop_rabbitmq
  stop_postgres
  say "stack down (data kept in .stack/)"
}

cmd_restart() {
  [[ $# -ge 1 ]] || die "usage: ./stack restart identity|notifier|nginx|postfix|rabbitmq|postgres"
  lock_stack
  local part
  for part in "$@"; do
    case $part in
      identity | notifier)
        [[ -f "$SLN" ]] || die "SalesMind.sln not found"
        build_solution
        migrate "$part"
        ensure_service "$part" force
        wait_ready "$part"
        say "$part ready: http://127.0.0.1:$(svc_port "$part")/health/ready" ;;
      nginx) stop_nginx; start_nginx ;;
      resolver) stop_resolver; start_resolver ;;
      postfix) stop_postfix; start_postfix ;;
      rabbitmq) stop_rabbitmq; start_rabbitmq ;;
      postgres) stop_postgres; start_postgres ;;
      *) die "unknown part '$part' (identity, notifier, nginx, postfix, rabbitmq, postgres)" ;;
    esac
  done
}

# Start or stop one part without building: for operators, and for the fault-injection run.
cmd_start() {
  [[ $# -ge 1 ]] || die "usage: ./stack start identity[-N]|notifier[-N]|nginx|postfix|rabbitmq|postgres"
  lock_stack
  local part
  for part in "$@"; do
    case $part in
      nginx) start_nginx ;;
      resolver) start_resolver ;;
      postfix) start_postfix ;;
      rabbitmq) start_rabbitmq ;;
      postgres) start_postgres ;;
      *)
        svc_valid "$part" || die "unknown part '$part'"
        [[ -f "$(svc_dll "$part")" ]] || die "$(svc_dll "$part") not built: run ./stack up first"
        if svc_running "$part"; then note "$part already running (pid $(svc_pid "$part"))"; else start_service "$part"; fi
        wait_ready "$part" ;;
    esac
  done
}

cmd_stop() {
  [[ $# -ge 1 ]] || die "usage: ./stack stop identity[-N]|notifier[-N]|nginx|postfix|rabbitmq|postgres"
  lock_stack
  local part
  for part in "$@"; do
    case $part in
      nginx) stop_nginx ;;
      resolver) stop_resolver ;;
      postfix) stop_postfix ;;
      rabbitmq) stop_rabbitmq ;;
      postgres) stop_postgres ;;
      *) svc_valid "$part" || die "unknown part '$part'"; stop_service "$part" ;;
    esac
  done
}

# SIGKILL a service instance: no shutdown, no cleanup, as a crash. For fault-injection runs.
cmd_kill() {
  [[ $# -ge 1 ]] || die "usage: ./stack kill identity[-N]|notifier[-N]"
  local part pid
  for part in "$@"; do
    svc_valid "$part" || die "only service instances can be killed, not '$part'"
    pid="$(svc_pid "$part")"
    if svc_running "$part"; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      # The kernel closes the dead process's sockets a moment later: wait, so a start can follow.
      local i
      for ((i = 0; i < 50; i++)); do port_open "$(svc_port "$part")" || break; sleep 0.1; done
      say "killed $part (pid $pid)"
    fi
    rm -f "$(svc_pidfile "$part")"
  done
}

cmd_status() {
  local part state port pid
  printf '%-10s %-5s %-12s %s\n' PART STATE PORT PID
  local extra=() f
  for f in "$RUN"/identity-*.pid "$RUN"/notifier-*.pid; do [[ -e $f ]] && extra+=("$(basename "$f" .pid)"); done
  for part in postgres rabbitmq postfix nginx resolver identity notifier "${extra[@]}"; do
    state=down
    case $part in
      postgres) port=$PG_PORT; pid="$(postgres_pid)" ;;
      rabbitmq) port="$RABBIT_PORT,$RABBIT_MGMT_PORT"; pid="$(rabbit_pid)" ;;
      postfix) port=$SMTP_PORT; pid="$(postfix_pid)" ;;
      nginx) port=$HTTP_PORT; pid="$(nginx_pid)" ;;
      resolver) port=$DNS_PORT; pid="$(resolver_pid)" ;;
      identity* | notifier*) port="$(svc_port "$part")"; pid="$(svc_pid "$part")"; svc_running "$part" || pid="" ;;
    esac
    if alive "$pid" && port_open "${port%%,*}"; then state=up; else pid=-; fi
    printf '%-10s %-5s %-12s %s\n' "$part" "$state" "$port" "$pid"
  done
}

log_files() {
  case $1 in
    postgres) echo "$LOGS/postgres.log" ;;
    rabbitmq) echo "$LOGS/rabbitmq/$RABBIT_NODE.log" ;;
    postfix | mail) echo "$LOGS/postfix.log" ;;
    nginx) echo "$LOGS/nginx-error.log"; echo "$LOGS/nginx-access.log" ;;
    identity | notifier | build | migrate | apt | resolver) echo "$LOGS/$1.log" ;;
    *) die "unknown part '$1' (postgres, rabbitmq, postfix, nginx, identity, notifier, build, migrate)" ;;
  esac
}

cmd_logs() {
  local follow="" parts=() files=() part f
  for part in "$@"; do
    case $part in
      -f | --follow) follow=1 ;;
      *) parts+=("$part") ;;
    esac
  done
  ((${#parts[@]})) || parts=(postgres rabbitmq postfix nginx identity notifier)
  for part in "${parts[@]}"; do
    while IFS= read -r f; do
      if [[ -r "$f" ]]; then files+=("$f"); elif ((${#parts[@]} == 1)); then warn "no log yet: ${f#"$ROOT"/}"; fi
    done < <(log_files "$part")
  done
  ((${#files[@]})) || return 0
  if [[ -n "$follow" ]]; then
    exec tail -n 20 -F "${files[@]}"
  fi
  tail -n 40 "${files[@]}"
}

cmd_reset() {
  cmd_down
  if [[ -d "$STACK" ]]; then
    say "deleting $STACK (databases, broker state, mail, logs, test results)"
    priv rm -rf -- "$STACK"
  fi
}
