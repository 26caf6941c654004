# shellcheck shell=bash
# PostgreSQL, RabbitMQ, Postfix and nginx: their state under .stack/, start and stop
# (their configuration files are written by configs.sh).
# Sourced by ./stack (ROOT, the ports and the other constants are set there).

# ---------------------------------------------------------------------------------------------
# PostgreSQL: a project-owned cluster in .stack/pg/data

PG_DATA="$STACK/pg/data"

postgres_pid() { pid_from "$PG_DATA/postmaster.pid"; }
postgres_running() { local p; p="$(postgres_pid)"; alive "$p" && port_open "$PG_PORT"; }

start_postgres() {
  if postgres_running; then
    note "postgres already running (pid $(postgres_pid))"
    return
  fi
  require_free_port postgres "$PG_PORT"
  local bin
  bin="$(pg_bin)"
  mkdir -p "$STACK/pg/run"
  touch "$LOGS/postgres.log"
  priv chown postgres:postgres "$STACK/pg" "$STACK/pg/run" "$LOGS/postgres.log"
  if [[ ! -e "$PG_DATA/PG_VERSION" ]] && ! priv test -e "$PG_DATA/PG_VERSION"; then
    say "creating the PostgreSQL cluster (.stack/pg/data)"
    as_postgres "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --no-locale >>"$LOGS/postgres.log" 2>&1 \
      || { tail -n 20 "$LOGS/postgres.log" >&2; die "initdb failed"; }
  fi
  # A lock file whose postmaster is gone (killed, and maybe left as a zombie that postgres
  # would take for alive) is stale: nothing listens and the process is not running.
  local stale
  stale="$(postgres_pid)"
  if [[ -n "$stale" ]] && ! alive "$stale"; then
    note "removing stale postmaster.pid (pid $stale is gone)"
    priv rm -f "$PG_DATA/postmaster.pid"
  fi
  say "starting postgres on 127.0.0.1:$PG_PORT"
  if ! as_postgres "$bin/pg_ctl" -D "$PG_DATA" -l "$LOGS/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k $STACK/pg/run -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null </dev/null 9>&-; then
    tail -n 20 "$LOGS/postgres.log" >&2
    die "postgres did not start (log: .stack/logs/postgres.log)"
  fi
  ensure_db_roles
}

# Each service's own role, owning only its database (ops/db-roles.sh, as in docker compose).
# The stack's server trusts loopback connections, so the roles need no password here.
ensure_db_roles() {
  if ! PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres "$ROOT/ops/db-roles.sh" >>"$LOGS/postgres.log" 2>&1 </dev/null 9>&-; then
    tail -n 20 "$LOGS/postgres.log" >&2
    die "could not set up the services' database roles (ops/db-roles.sh; log: .stack/logs/postgres.log)"
  fi
}

stop_postgres() {
  if ! alive "$(postgres_pid)"; then
    return
  fi
  say "stopping postgres"
  as_postgres "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
}

# ---------------------------------------------------------------------------------------------
# RabbitMQ: node salesmind@localhost, state in .stack/rabbit, logs in .stack/logs/rabbitmq

RABBIT_DIR="$STACK/rabbit"
RABBIT_PIDFILE="$RABBIT_DIR/rabbitmq.pid"
RABBIT_ENV=(
  "RABBITMQ_NODENAME=$RABBIT_NODE"
  "RABBITMQ_CONFIG_FILE=$RABBIT_DIR/rabbitmq.conf"
  "RABBITMQ_ENABLED_PLUGINS_FILE=$RABBIT_DIR/enabled_plugins"
  "RABBITMQ_MNESIA_BASE=$RABBIT_DIR/mnesia"
  "RABBITMQ_LOG_BASE=$LOGS/rabbitmq"
  "RABBITMQ_PID_FILE=$RABBIT_PIDFILE"
  "RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT"
  "ERL_EPMD_ADDRESS=127.0.0.1"
  # the inter-node (distribution) port on loopback too
  "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
)

rabbit() { priv env "${RABBIT_ENV[@]}" "$@"; }
rabbit_pid() { pid_from "$RABBIT_PIDFILE"; }
rabbit_running() { alive "$(rabbit_pid)"; }

# A node that loads definitions on its first boot creates no default user. The stack makes:
#   guest               administrator, for the tests and a developer's management UI; RabbitMQ
#                       lets guest in from loopback only (rabbitmq/rabbitmq.conf keeps that default)
#   salesmind-identity  } the services' own users: no tags (no management UI or API), read,
#   salesmind-notifier  } write and configure on vhost / only
#   salesmind-monitor   tag monitoring, no rights on messages: the Notifier's view of queue depths
# as rabbitmq/start.sh does in docker compose. Passwords are made once in .stack/secrets/.
ensure_rabbit_users() {
  local r=(rabbit rabbitmqctl -q -n "$RABBIT_NODE") existing user
  existing="$("${r[@]}" list_users --no-table-headers </dev/null | cut -f1)"
  if ! grep -qx guest <<<"$existing"; then
    "${r[@]}" add_user guest guest </dev/null >/dev/null
    "${r[@]}" set_user_tags guest administrator </dev/null >/dev/null
    "${r[@]}" set_permissions -p / guest '.*' '.*' '.*' </dev/null >/dev/null
  fi
  for user in salesmind-identity salesmind-notifier salesmind-monitor; do
    if grep -qx "$user" <<<"$existing"; then
      "${r[@]}" change_password "$user" "$(stack_secret "rabbitmq-$user")" </dev/null >/dev/null
    else
      "${r[@]}" add_user "$user" "$(stack_secret "rabbitmq-$user")" </dev/null >/dev/null
    fi
  done
  "${r[@]}" set_user_tags salesmind-identity </dev/null >/dev/null
  "${r[@]}" set_user_tags salesmind-notifier </dev/null >/dev/null
  "${r[@]}" set_user_tags salesmind-monitor monitoring </dev/null >/dev/null
  "${r[@]}" set_permissions -p / salesmind-identity '.*' '.*' '.*' </dev/null >/dev/null
  "${r[@]}" set_permissions -p / salesmind-notifier '.*' '.*' '.*' </dev/null >/dev/null
  "${r[@]}" set_permissions -p / salesmind-monitor '^$' '^$' '^$' </dev/null >/dev/null
}

start_rabbitmq() {
  mkdir -p "$RABBIT_DIR/mnesia" "$LOGS/rabbitmq"
  write_rabbit_config
  if rabbit_running; then
    note "rabbitmq already running (pid $(rabbit_pid))"
  else
    local p
    for p in "$RABBIT_PORT" "$RABBIT_MGMT_PORT" "$RABBIT_PROM_PORT" "$RABBIT_DIST_PORT"; do
      require_free_port rabbitmq "$p"
    done
    # Remember whether we start epmd (the Erlang port mapper), so `down` only stops its own.
    if port_open 4369; then rm -f "$RUN/epmd.ours"; else touch "$RUN/epmd.ours"; fi
    rm -f "$RABBIT_PIDFILE"
    priv chown -R rabbitmq:rabbitmq "$RABBIT_DIR" "$LOGS/rabbitmq"
    say "starting rabbitmq ($RABBIT_NODE) on 127.0.0.1:$RABBIT_PORT, management :$RABBIT_MGMT_PORT"
    rabbit rabbitmq-server -detached >>"$LOGS/rabbitmq/startup.log" 2>&1 </dev/null 9>&-
  fi
  # await_startup fails at once while the node has not registered yet: retry until it
  # answers, the node dies, or 90 s pass.
  local deadline=$((SECONDS + 90)) out=""
  while ((SECONDS < deadline)); do
    if out="$(rabbit rabbitmqctl -q -n "$RABBIT_NODE" await_startup --timeout 30 2>&1 </dev/null)"; then
      ensure_rabbit_users
      return 0
    fi
    if [[ -s "$RABBIT_PIDFILE" ]] && ! rabbit_running; then break; fi
    sleep 1
  done
  printf '%s\n' "$out" >>"$LOGS/rabbitmq/startup.log"
  tail -n 20 "$LOGS/rabbitmq/$RABBIT_NODE.log" >&2 2>/dev/null || true
  die "rabbitmq did not start (logs: .stack/logs/rabbitmq/). To see boot errors, run it in the foreground: env $(printf '%q ' "${RABBIT_ENV[@]}")rabbitmq-server"
}

stop_rabbitmq() {
  if rabbit_running; then
    say "stopping rabbitmq"
    rabbit rabbitmqctl -q -n "$RABBIT_NODE" stop "$RABBIT_PIDFILE" >/dev/null 2>&1 </dev/null || true
    local i
    for ((i = 0; i < 30; i++)); do rabbit_running || break; sleep 1; done
    if rabbit_running; then priv kill -TERM "$(rabbit_pid)" 2>/dev/null || true; fi
  fi
  # epmd stays up after the node stops; stop it if we started it and nobody else uses it.
  if [[ -f "$RUN/epmd.ours" ]] && command -v epmd >/dev/null 2>&1; then
    if ! epmd -names 2>/dev/null | grep -q '^name '; then
      epmd -kill >/dev/null 2>&1 || true
    fi
    rm -f "$RUN/epmd.ours"
  fi
}

# ---------------------------------------------------------------------------------------------
# Postfix: an instance from .stack/postfix/etc built from mailserver/postfix/

PF_DIR="$STACK/postfix"
PF_ETC="$PF_DIR/etc"
MAILDIR="$STACK/mail"

postfix_pid() { pid_from "$PF_DIR/queue/pid/master.pid"; }
postfix_running() { alive "$(postfix_pid)"; }

start_postfix() {
  local changed=0 owner
  owner="$(mail_owner)"
  mkdir -p "$PF_DIR/queue" "$PF_DIR/data" "$MAILDIR/new" "$MAILDIR/cur" "$MAILDIR/tmp"
  priv chown root:root "$PF_DIR/queue"
  priv chown postfix:postfix "$PF_DIR/data"
  priv chown -R "$owner" "$MAILDIR"
  # Keep the mail log short on a long-lived stack: the Notifier reads it (the last 16 MB at each
  # start, and every line after), and nothing older is needed.
  if [[ -f "$LOGS/postfix.log" ]] && (($(stat -c %s "$LOGS/postfix.log") > 8 * 1024 * 1024)) && ! postfix_running; then
    mv -f "$LOGS/postfix.log" "$LOGS/postfix.log.1"
  fi
  touch "$LOGS/postfix.log"
  write_postfix_config && changed=1
  # Long queue ids (short ones are reused; the Notifier reads the log by queue id): said at every start.
  local long_queue_ids
  long_queue_ids="$(postconf -c "$PF_ETC" -h enable_long_queue_ids 2>/dev/null || true)"
  note "postfix enable_long_queue_ids = ${long_queue_ids:-?}"
  [[ $long_queue_ids == yes ]] || warn "postfix enable_long_queue_ids is not 'yes' (mailserver/postfix/main.cf): queue ids are reused and the Notifier may misread the log"
  if postfix_running; then
    if ((changed)); then
      say "postfix config changed: reloading"
      priv postfix -c "$PF_ETC" reload >>"$LOGS/postfix.log" 2>&1 9>&-
    else
      note "postfix already running (pid $(postfix_pid))"
    fi
    return
  fi
  require_free_port postfix "$SMTP_PORT"
  say "starting postfix on 127.0.0.1:$SMTP_PORT (mail for *@mail.test -> .stack/mail/new)"
  # create-missing builds the queue tree on the first run; `start` runs `postfix check` itself.
  if ! { { [[ -d "$PF_DIR/queue/maildrop" ]] || priv postfix -c "$PF_ETC" post-install create-missing; } &&
         priv postfix -c "$PF_ETC" start; } >>"$LOGS/postfix.log" 2>&1 </dev/null 9>&-; then
    tail -n 20 "$LOGS/postfix.log" >&2
    die "postfix did not start (log: .stack/logs/postfix.log)"
  fi
  local i
  for ((i = 0; i < 50; i++)); do port_open "$SMTP_PORT" && return; sleep 0.2; done
  die "postfix started but nothing listens on 127.0.0.1:$SMTP_PORT (log: .stack/logs/postfix.log)"
}

stop_postfix() {
  postfix_running || return 0
  say "stopping postfix"
  priv postfix -c "$PF_ETC" stop >>"$LOGS/postfix.log" 2>&1 || true
  local i
  for ((i = 0; i < 50; i++)); do postfix_running || return 0; sleep 0.2; done
}

# ---------------------------------------------------------------------------------------------
# nginx: nginx/templates/default.conf.template rendered into .stack/nginx/conf.d/

NG_DIR="$STACK/nginx"

nginx_pid() { pid_from "$NG_DIR/nginx.pid"; }
nginx_running() { alive "$(nginx_pid)"; }
nginx_cmd() { priv nginx -p "$NG_DIR/" -e "$LOGS/nginx-error.log" -c "$NG_DIR/nginx.conf" "$@"; }

start_nginx() {
  local changed=0
  write_nginx_config && changed=1
  if nginx_running; then
    if ((changed)); then
      say "nginx config changed: reloading"
      nginx_cmd -s reload
    else
      note "nginx already running (pid $(nginx_pid))"
    fi
    return
  fi
  require_free_port nginx "$HTTP_PORT"
  say "starting nginx on 127.0.0.1:$HTTP_PORT"
  nginx_cmd </dev/null >>"$LOGS/nginx-error.log" 2>&1 9>&- || { tail -n 10 "$LOGS/nginx-error.log" >&2; die "nginx did not start"; }
}

stop_nginx() {
  nginx_running || return 0
  say "stopping nginx"
  nginx_cmd -s quit 2>/dev/null || true
  local i
  for ((i = 0; i < 50; i++)); do nginx_running || return 0; sleep 0.2; done
  priv kill -TERM "$(nginx_pid)" 2>/dev/null || true
}
