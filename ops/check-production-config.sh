#!/usr/bin/env bash
# Checks the production configuration without starting anything: the compose file, every shell
# script, nginx's site configurations, the mail server's Postfix configuration, and the JSON that
# RabbitMQ and Grafana load. Prints one line per check ("ok", "FAIL" with the tool's output
# below it, or "skip" with the reason) and exits 1 if any check failed.
#
#   ops/check-production-config.sh
#
# Needs, on Debian 12: apt-get install shellcheck docker-compose nginx postfix openssl
# gettext-base jq. `postfix check` must run as root: run this as root, or with sudo that needs
# no password. Used if installed: opendkim (its configuration), promtool (Prometheus').
# Works in a temporary directory only; nothing is started, nothing of the local stack is touched.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/salesmind-check.XXXXXX")"
failures=0

as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    echo "needs root: run as root, or with sudo that needs no password"
    return 1
  fi
}

cleanup() {
  # `postfix check` (as root) hands parts of its queue directory to the postfix user.
  if [[ -d "$TMP/postfix" ]]; then as_root rm -rf "$TMP/postfix" >/dev/null 2>&1; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# check <description> <command...>: runs the command; prints one line, and on failure its output.
check() {
  local name=$1 out
  shift
  if out="$("$@" 2>&1)"; then
    printf 'ok    %s\n' "$name"
  else
    printf 'FAIL  %s\n' "$name"
    # Each line once (tools repeat their warnings), at most 40 of them.
    printf '%s\n' "$out" | awk '!seen[$0]++' | head -n 40 | sed 's/^/      /'
    failures=$((failures + 1))
  fi
}

skip() { printf 'skip  %s (%s)\n' "$1" "$2"; }

# version_at_least <have> <want>
version_at_least() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]; }

# --- docker compose -----------------------------------------------------------------------

compose_config() {
  cd "$ROOT" || return 1
  if docker compose version >/dev/null 2>&1; then
    docker compose --env-file .env.example -f docker-compose.yml config -q
  else
    docker-compose --env-file .env.example -f docker-compose.yml config -q
  fi
}

# Every ${VARIABLE} the compose file reads is listed (and explained) in .env.example.
env_example_complete() {
  local missing
  missing="$(comm -23 \
    <(grep -o '[$]{[A-Za-z_][A-Za-z0-9_]*' "$ROOT/docker-compose.yml" | cut -c3- | sort -u) \
    <(grep -oE '^[A-Za-z_][A-Za-z0-9_]*=' "$ROOT/.env.example" | tr -d = | sort -u))"
  [[ -z "$missing" ]] || { echo "read by docker-compose.yml but not in .env.example: $missing"; return 1; }
}

# Least privilege, as the compose file is written: the services connect to PostgreSQL with
# their own roles (never the superuser), to RabbitMQ with their own users (never the operators'
# administrator), the mail server trusts only loopback and the compose subnet, and guest stays a
# loopback-only user.
least_privilege() {
  local rendered problems=()
  rendered="$(cd "$ROOT" && if docker compose version >/dev/null 2>&1; then
    docker compose --env-file .env.example -f docker-compose.yml config
  else
    docker-compose --env-file .env.example -f docker-compose.yml config
  fi)" || return 1
  grep -Eq 'ConnectionStrings__Identity: .*Username=salesmind_identity;' <<<"$rendered" || problems+=("identity does not connect as salesmind_identity")
  grep -Eq 'ConnectionStrings__Notifier: .*Username=salesmind_notifier;' <<<"$rendered" || problems+=("notifier does not connect as salesmind_notifier")
  grep -Eq 'RabbitMq__Username: salesmind-identity$' <<<"$rendered" || problems+=("identity does not use the broker user salesmind-identity")
  grep -Eq 'RabbitMq__Username: salesmind-notifier$' <<<"$rendered" || problems+=("notifier does not use the broker user salesmind-notifier")
  if grep -Eq 'MAIL_TRUSTED_NETWORKS: .*(10\.0\.0\.0/8|172\.16\.0\.0/12|192\.168\.0\.0/16|0\.0\.0\.0/0)' <<<"$rendered"; then
    problems+=("MAIL_TRUSTED_NETWORKS trusts a whole private range, not the compose network")
  fi
  if grep -Eq '^[[:space:]]*loopback_users(\.guest)?[[:space:]]*=[[:space:]]*(false|none)' "$ROOT/rabbitmq/rabbitmq.conf"; then
    problems+=("rabbitmq/rabbitmq.conf lets guest log in from other hosts")
  fi
  ((${#problems[@]} == 0)) || { printf '%s\n' "${problems[@]}"; return 1; }
}

# --- shell scripts ------------------------------------------------------------------------

# Every *.sh, ./stack, and any other file that starts with a sh or bash shebang (.ci/run, ...).
shell_scripts() {
  local files=()
  mapfile -t files < <(cd "$ROOT" && find . \( -path ./.git -o -path ./.stack -o -name node_modules \
    -o -name bin -o -name obj \) -prune -o -type f -size -1024k -print |
    awk '/\.sh$/ { print; next } { if ((getline line < $0) > 0 && line ~ /^#!.*[/ ](ba)?sh([[:space:]]|$)/) print; close($0) }' |
    sort)
  # -x: ./stack sources ops/stack/*.sh (each of them is in the list as well, checked on its own).
  (cd "$ROOT" && shellcheck -x "${files[@]}")
}

# --- nginx --------------------------------------------------------------------------------

# A minimal nginx.conf like the official image's: the site files are included at http level.
nginx_test() {
  local dir=$1
  mkdir -p "$dir/tmp"
  cat >"$dir/nginx.conf" <<EOF
pid $dir/nginx.pid;
error_log $dir/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp/client_body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    include $dir/conf.d/*.conf;
}
EOF
  nginx -q -t -p "$dir/" -e "$dir/error.log" -c "$dir/nginx.conf"
}

NGINX_VERSION="$(nginx -v 2>&1 | sed -n 's#.*nginx/\([0-9.]*\).*#\1#p')"

# The production template as the nginx image renders it (envsubst of ${DOMAIN} only), with the
# container's paths pointed at the repository and a throw-away certificate. `nginx -t` tries to
# bind what it listens on: ports 80/443 become loopback ports above 1024 (no root needed, and
# nothing public is touched).
nginx_production() {
  local dir="$TMP/nginx-production"
  mkdir -p "$dir/conf.d" "$dir/certs" "$dir/acme"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj "/CN=check.example" -keyout "$dir/certs/privkey.pem" -out "$dir/certs/fullchain.pem" \
    >/dev/null 2>&1 || { echo "openssl could not make a test certificate"; return 1; }
  DOMAIN=check.example envsubst "\${DOMAIN}" <"$ROOT/nginx/production/default.conf.template" |
    sed -e "s#/etc/nginx/certs/#$dir/certs/#g" \
        -e "s#/etc/nginx/salesmind/#$ROOT/nginx/snippets/#g" \
        -e "s#/usr/share/nginx/html#$ROOT/web#g" \
        -e "s#/var/www/acme#$dir/acme#g" \
        -e 's/^\([[:space:]]*listen\) 80 /\1 127.0.0.1:18480 /' \
        -e 's/^\([[:space:]]*listen\) 443 /\1 127.0.0.1:18443 /' >"$dir/conf.d/default.conf"
  # Older nginx (Debian 12 has 1.22) lacks two directives the production image (1.28) has:
  # `resolve` in an upstream (1.27.3; without it the service names are looked up at load time,
  # so they are replaced by an address) and `http2 on` (1.25.1).
  if ! version_at_least "$NGINX_VERSION" 1.27.3; then
    sed -i -E 's/^([[:space:]]*server )[a-z]+(:[0-9]+) resolve;/\1127.0.0.1\2;/' "$dir/conf.d/default.conf"
  fi
  if ! version_at_least "$NGINX_VERSION" 1.25.1; then
    sed -i '/^[[:space:]]*http2 on;/d' "$dir/conf.d/default.conf"
  fi
  nginx_test "$dir"
}

# The local stack's template, rendered the way ./stack renders it.
nginx_local() {
  local dir="$TMP/nginx-local"
  # The site logs to ../logs/ from nginx's prefix, as on the stack (.stack/nginx -> .stack/logs).
  mkdir -p "$dir/conf.d" "$TMP/logs"
  LISTEN_ADDRESS="127.0.0.1:8080" IDENTITY_UPSTREAM="127.0.0.1:5001" NOTIFIER_UPSTREAM="127.0.0.1:5002" IDENTITY_SPARE="127.0.0.1:5011" NOTIFIER_SPARE="127.0.0.1:5012" \
    STATIC_ROOT="$ROOT/web" SNIPPETS_DIR="$ROOT/nginx/snippets" \
    envsubst "\${LISTEN_ADDRESS} \${IDENTITY_UPSTREAM} \${NOTIFIER_UPSTREAM} \${IDENTITY_SPARE} \${NOTIFIER_SPARE} \${STATIC_ROOT} \${SNIPPETS_DIR}" \
    <"$ROOT/nginx/templates/default.conf.template" >"$dir/conf.d/default.conf"
  nginx_test "$dir"
}

# --- Postfix ------------------------------------------------------------------------------

# mailserver/postfix/ plus exactly what mailserver/entrypoint.sh applies in the container (its
# `configure` command), with the queue and log moved into the temporary directory.
postfix_mailserver() {
  local dir="$TMP/postfix/$1" etc
  shift
  etc="$dir/etc"
  mkdir -p "$etc" "$dir/queue" "$dir/data" "$dir/log"
  cp "$ROOT"/mailserver/postfix/{main.cf,master.cf,transport,recipient_access,provider_transport} "$etc/"
  # .test names: the entrypoint refuses example names (example.com, *.example) as .env.example's.
  env MAIL_HOSTNAME=mail.check.test MAIL_DOMAIN=check.test BOUNCE_DOMAIN=bounces.check.test "$@" \
    "$ROOT/mailserver/entrypoint.sh" configure "$etc" || return 1
  postconf -c "$etc" -e "queue_directory=$dir/queue" "data_directory=$dir/data" \
    "maillog_file=$dir/log/postfix.log" "maillog_file_prefixes=$dir/log" || return 1
  # Postfix wants its configuration owned by root (as in the container).
  as_root chown -R 0:0 "$etc" || return 1
  # Warnings count as failures: e.g. an unknown (misspelt) parameter, a setting given twice.
  local out
  out="$(postconf -c "$etc" -n 2>&1 >/dev/null; as_root postfix -c "$etc" check 2>&1)" || { echo "$out"; return 1; }
  if grep -Eq 'warning|fatal|error' <<<"$out"; then
    echo "$out"
    return 1
  fi
}

# --- OpenDKIM, Prometheus (when their tools are installed) -------------------------------

opendkim_config() {
  local dir="$TMP/opendkim"
  mkdir -p "$dir"
  echo 127.0.0.1 >"$dir/internal-hosts"
  # The key volume's tables (entrypoint.sh writes them at the first start), empty here.
  mkdir -p "$dir/keys"
  : >"$dir/keys/KeyTable"
  : >"$dir/keys/SigningTable"
  sed -e "s#/run/opendkim/#$dir/#g" -e "s#/etc/opendkim/keys/#$dir/keys/#g" "$ROOT/mailserver/opendkim/opendkim.conf" >"$dir/opendkim.conf"
  opendkim -n -x "$dir/opendkim.conf"
}

prometheus_config() {
  local dir="$TMP/prometheus"
  mkdir -p "$dir"
  cp "$ROOT/monitoring/prometheus/alerts.yml" "$dir/"
  sed "s#/etc/prometheus/#$dir/#g" "$ROOT/monitoring/prometheus/prometheus.yml" >"$dir/prometheus.yml"
  promtool check config "$dir/prometheus.yml"
}

# --- JSON ---------------------------------------------------------------------------------

rabbitmq_definitions() {
  local f="$ROOT/rabbitmq/definitions.json"
  jq -e '(.vhosts | type == "array") and (.policies | type == "array")' "$f" >/dev/null || {
    echo "$f: not valid JSON, or no vhosts/policies"
    return 1
  }
  # Users come from the environment: no password in the repository.
  jq -e 'has("users") or has("permissions") | not' "$f" >/dev/null || {
    echo "$f: holds users or permissions (they come from the environment)"
    return 1
  }
}

grafana_dashboards() {
  local f
  for f in "$ROOT"/monitoring/grafana/dashboards/*.json; do
    jq -e '(.uid | type == "string") and (.panels | length > 0)' "$f" >/dev/null || {
      echo "$f: not valid JSON, or no uid/panels"
      return 1
    }
  done
}

# --- run ----------------------------------------------------------------------------------

check "compose: docker-compose.yml with .env.example (config -q)" compose_config
check "compose: every variable it reads is in .env.example" env_example_complete
check "compose: least privilege (own database roles and broker users, trusted mail networks, guest)" least_privilege
check "shellcheck: every shell script (*.sh, ./stack and the other sh/bash scripts)" shell_scripts
if version_at_least "$NGINX_VERSION" 1.27.3; then
  check "nginx -t: production site (nginx/production, test certificate)" nginx_production
else
  check "nginx -t: production site (nginx/production, test certificate; nginx $NGINX_VERSION: without 'resolve'/'http2 on')" nginx_production
fi
check "nginx -t: local stack site (nginx/templates)" nginx_local
check "postfix check: mail server, MAIL_OUTBOUND=disabled" postfix_mailserver disabled MAIL_OUTBOUND=disabled
check "postfix check: mail server, MAIL_OUTBOUND=direct (with the providers' pacing transports)" postfix_mailserver direct MAIL_OUTBOUND=direct
check "postfix check: mail server, MAIL_OUTBOUND=relay with login" postfix_mailserver relay \
  MAIL_OUTBOUND=relay "MAIL_RELAYHOST=[relay.check.example]:587" MAIL_RELAY_USERNAME=check MAIL_RELAY_PASSWORD=check
if command -v opendkim >/dev/null 2>&1; then
  check "opendkim -n: mailserver/opendkim/opendkim.conf" opendkim_config
else
  skip "opendkim -n: mailserver/opendkim/opendkim.conf" "opendkim not installed"
fi
if command -v promtool >/dev/null 2>&1; then
  check "promtool: monitoring/prometheus (config and alert rules)" prometheus_config
else
  skip "promtool: monitoring/prometheus (config and alert rules)" "promtool not installed"
fi
check "json: rabbitmq/definitions.json" rabbitmq_definitions
check "json: monitoring/grafana/dashboards/*.json" grafana_dashboards

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
