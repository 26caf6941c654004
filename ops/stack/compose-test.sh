# shellcheck shell=bash
# ./stack compose-test: settings of a run, stand-ins, the runner of its steps, the command.
# The steps are in compose-test-steps.sh and compose-test-faults.sh.
# Sourced by ./stack (ROOT, the ports and the other constants are set there).

# ---------------------------------------------------------------------------------------------
# ./stack compose-test: the production docker-compose.yml itself, brought up by docker-compose
# 1.29 on the private dockerd of compose-images, with local stand-ins for the upstream images
# (ops/compose-test/standins/) and a small override; then the scenario of the README's
# "./stack compose-test" section, a table, and everything torn down again.

# shellcheck disable=SC2153 # CI_DIR: compose-dockerd.sh
CT_DIR="$CI_DIR/test"
CT_PROJECT=salesmind-ct
CT_DOMAIN=app.compose-test.salesmind.test
CT_MAIL_DOMAIN=compose-test.salesmind.test
CT_STANDIN_POSTGRES=salesmind-local/standin-postgres:15
CT_STANDIN_RABBITMQ=salesmind-local/standin-rabbitmq:3
CT_STANDIN_NGINX=salesmind-local/standin-nginx:1
CT_STANDIN_PROMETHEUS=salesmind-local/standin-prometheus:2
CT_UP=""
CT_ROWS=()
CT_FAILED=0
CT_PASSED=0
CT_SKIPPED=0

# docker-compose 1.29 (Debian) against the private dockerd, building through the API.
ct_compose() {
  DOCKER_HOST="unix://$CI_SOCK" COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0 \
    docker-compose -p "$CT_PROJECT" --project-directory "$ROOT" --env-file "$CT_DIR/.env" \
    -f "$ROOT/docker-compose.yml" -f "$CT_DIR/override.yml" "${CT_PROFILE[@]}" "$@"
}

# The containers of the project (all, or a service's), straight from the engine (fast).
ct_ids_of() {
  local f=(--filter "label=com.docker.compose.project=$CT_PROJECT")
  [[ -n ${1:-} ]] && f+=(--filter "label=com.docker.compose.service=$1")
  cdocker ps -aq "${f[@]}"
}
# The container of a service (its first replica).
ct_container() { ct_ids_of "$1" | head -n 1; }

# A compose subnet no route of this host uses (another engine's network, a LAN).
ct_subnet() {
  local n routes
  routes="$(ip -4 route 2>/dev/null || true)"
  for n in 251 252 253 254 249 248; do
    grep -q "^172\.31\.$n\." <<<"$routes" || { echo "172.31.$n.0/24"; return 0; }
  done
  die "compose-test: no free 172.31.x.0/24 subnet for the compose network"
}

# The throw-away settings of one run: real random secrets, a fresh ES256 key pair, test names.
ct_write_env() {
  local dir="$CT_DIR" key
  key="$(mktemp -d)"
  openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$key/key" 2>/dev/null
  openssl ec -in "$key/key" -pubout -out "$key/pub" 2>/dev/null
  (
    umask 077
    cat >"$dir/.env" <<EOF_ENV
# Written by ./stack compose-test for one run, deleted at its end.
DOMAIN=$CT_DOMAIN
MAIL_DOMAIN=$CT_MAIL_DOMAIN
MAIL_HOSTNAME=mail.$CT_MAIL_DOMAIN
DKIM_SELECTOR=ct1
BOUNCE_DOMAIN=bounces.$CT_MAIL_DOMAIN
BOUNCE_SIGNING_KEY=$(openssl rand -hex 32)
COMPOSE_SUBNET=$(ct_subnet)
IMAGE_TAG=$CI_TAG
SDK_IMAGE=salesmind-local/dotnet-sdk:$(host_sdk_version)
RUNTIME_IMAGE=salesmind-local/aspnet:$(host_aspnet_version)
DEBIAN_IMAGE=$CI_BASE
ASPNETCORE_ENVIRONMENT=Production
POSTGRES_USER=salesmind
POSTGRES_PASSWORD=$(openssl rand -hex 24)
IDENTITY_DB_PASSWORD=$(openssl rand -hex 24)
NOTIFIER_DB_PASSWORD=$(openssl rand -hex 24)
RABBITMQ_DEFAULT_USER=salesmind
RABBITMQ_DEFAULT_PASS=$(openssl rand -hex 24)
RABBITMQ_IDENTITY_PASSWORD=$(openssl rand -hex 24)
RABBITMQ_NOTIFIER_PASSWORD=$(openssl rand -hex 24)
RABBITMQ_MONITOR_PASSWORD=$(openssl rand -hex 24)
AUTH_PRIVATE_KEY=$(sed '1d;$d' "$key/key" | tr -d '\n')
AUTH_PUBLIC_KEY=$(sed '1d;$d' "$key/pub" | tr -d '\n')
MAIL_FROM_ADDRESS=no-reply@$CT_MAIL_DOMAIN
MAIL_FROM_NAME=SalesMind
MAIL_SITE_NAME=SalesMind
NOTIFIER_BODY_ENCRYPTION_KEY=$(openssl rand -base64 32)
MAIL_OUTBOUND=disabled
GRAFANA_ADMIN_PASSWORD=$(openssl rand -hex 24)
# Every sign-up of the run comes from this host's one address (step 5 sends 300 in a minute).
RATE_LIMIT_REGISTER_PER_MINUTE=100000
EOF_ENV
  )
  rm -rf "$key"
  # A test certificate for DOMAIN (nginx's ./certs).
  mkdir -p "$dir/certs/acme"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=$CT_DOMAIN" -addext "subjectAltName=DNS:$CT_DOMAIN" \
    -keyout "$dir/certs/privkey.pem" -out "$dir/certs/fullchain.pem" >/dev/null 2>&1
  chmod 644 "$dir/certs/privkey.pem"
  # Only what cannot be had here: the upstream images (stand-ins), the certificate's place, the
  # Erlang schedulers' busy-waiting (2 cores) and Grafana (no Debian package: its provisioning
  # is checked against Prometheus instead, step 6); and two replicas of each service (step 5).
  # The published ports are left as they are: this dockerd runs without iptables and without
  # its userland proxy, so they are published nowhere on the host.
  cat >"$dir/override.yml" <<EOF_OVR
# Written by ./stack compose-test: the production docker-compose.yml's local differences.
services:
  postgres:
    image: $CT_STANDIN_POSTGRES
  postgres-roles:
    image: $CT_STANDIN_POSTGRES
  backup:
    image: $CT_STANDIN_POSTGRES
  rabbitmq:
    image: $CT_STANDIN_RABBITMQ
    environment:
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "+sbwt none +sbwtdcpu none +sbwtdio none"
  rabbitmq-2:
    image: $CT_STANDIN_RABBITMQ
    environment:
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "+sbwt none +sbwtdcpu none +sbwtdio none"
  rabbitmq-3:
    image: $CT_STANDIN_RABBITMQ
    environment:
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "+sbwt none +sbwtdcpu none +sbwtdio none"
  nginx:
    image: $CT_STANDIN_NGINX
    volumes:
      - $dir/certs:/etc/nginx/certs:ro
      - $dir/certs/acme:/var/www/acme:ro
  identity:
    deploy:
      replicas: 2
  notifier:
    deploy:
      replicas: 2
  prometheus:
    image: $CT_STANDIN_PROMETHEUS
  grafana:
    profiles: [not-in-compose-test]
EOF_OVR
}

build_standins() {
  local name tag log="$CI_LOGS/standins.log"
  : >"$log"
  for name in postgres rabbitmq nginx prometheus; do
    case $name in
      postgres) tag=$CT_STANDIN_POSTGRES ;;
      rabbitmq) tag=$CT_STANDIN_RABBITMQ ;;
      nginx) tag=$CT_STANDIN_NGINX ;;
      prometheus) tag=$CT_STANDIN_PROMETHEUS ;;
    esac
    say "building stand-in $tag (ops/compose-test/standins/$name; log ${log#"$ROOT"/})"
    run_step "docker build $tag" "$log" cdocker build --network host --build-arg BASE="$CI_BASE" -t "$tag" "ops/compose-test/standins/$name"
  done
}

# ct_row <step> <result> <seconds>
ct_row() {
  CT_ROWS+=("$(printf '%-44s %-6s %5s  %s' "$1" "${2%%:*}" "$3" "${2#*: }")")
  case $2 in
    ok:*) CT_PASSED=$((CT_PASSED + 1)) ;;
    skip:*) CT_SKIPPED=$((CT_SKIPPED + 1)); CT_FAILED=$((CT_FAILED + 1)) ;;
    *) CT_FAILED=$((CT_FAILED + 1)) ;;
  esac
}

# State of every container of the project: "service status/health exit" per line.
ct_states() {
  local id
  for id in $(ct_ids_of); do
    cdocker inspect -f '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}} {{.State.ExitCode}}' "$id" 2>/dev/null
  done
}

# Every container healthy (or running without a health check), one-shot ones exited 0. The
# backup service's first health check comes after its 10-minute start period: "starting" counts.
ct_all_ready() {
  local states bad
  states="$(ct_states)"
  [[ -n $states ]] || return 1
  bad="$(awk '!( $2 == "running/healthy" || $2 == "running/" || ($2 ~ /^exited\// && $3 == 0) || ($1 == "backup" && $2 == "running/starting") )' <<<"$states")"
  [[ -z $bad ]]
}

CT_NGINX_IP=""
ct_curl() { curl -sk --max-time 20 --resolve "$CT_DOMAIN:443:$CT_NGINX_IP" "$@"; }

# The address of a container on the compose network.
ct_ip() { cdocker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"; }

# Waits (up to $1 seconds) until every container is healthy again, one-shots exited 0.
ct_wait_ready() {
  local i
  for ((i = SECONDS + $1; SECONDS < i; )); do ct_all_ready && return 0; sleep 2; done
  return 1
}

# ct_run <label> <function> [needs]: runs a step unless one it needs failed.
declare -A CT_OK=()
ct_run() {
  local label=$1 fn=$2 need=${3:-} t result
  if [[ -n $need && -z ${CT_OK[$need]:-} ]]; then
    ct_row "$label" "skip: not run ($need failed)" "-"
    return 0
  fi
  say "compose-test: $label"
  t=$SECONDS
  # In this shell (the steps share what they found), its last line is the result.
  "$fn" >"$CI_LOGS/compose-test-step.out" 2>&1 || true
  cat "$CI_LOGS/compose-test-step.out" >>"$CI_LOGS/compose-test-steps.log"
  result="$(tail -n 1 "$CI_LOGS/compose-test-step.out")"
  [[ $result == ok:* ]] && CT_OK[$fn]=1
  [[ $result == ok:* || $result == FAIL:* ]] || result="FAIL: $result"
  ct_row "$label" "$result" "$((SECONDS - t))"
}

# Everything down (containers, networks, volumes), logs kept, secrets deleted, dockerd stopped.
compose_test_cleanup() {
  if [[ -n $CT_UP ]]; then
    say "compose-test: saving the containers' logs and tearing down (down -v)"
    ct_compose logs --no-color >"$CI_LOGS/compose-test-containers.log" 2>&1 || true
    ct_compose --profile not-in-compose-test --profile ha down -v --remove-orphans >>"$CI_LOGS/compose-test-up.log" 2>&1 ||
      warn "compose-test: docker-compose down -v failed (see ${CI_LOGS#"$ROOT"/}/compose-test-up.log)"
    CT_UP=""
  fi
  rm -rf "$CT_DIR"
  compose_images_cleanup
}

cmd_compose_test() {
  local started=$SECONDS t
  # docker-compose 1.29 and dkimpy (the DKIM check) from Debian, when missing.
  CI_PACKAGES+=(docker-compose python3-dkim)
  # No userland proxy: with --iptables=false the compose file's published ports go nowhere.
  # shellcheck disable=SC2034 # read by start_compose_dockerd (compose-dockerd.sh)
  CI_DOCKERD_ARGS=(--userland-proxy=false)
  compose_prepare compose-test
  trap compose_test_cleanup EXIT
  # The load of steps 5 and ha: a fifth of what this machine hashes, measured now, while
  # nothing of the run is up yet; at most 4 sign-ups a second. The steps test faults, not
  # capacity: a shared machine's short measurement can overstate what it gives for minutes.
  local capacity
  capacity="$(python3 "$ROOT/ops/compose-test/signups.py" capacity)"
  CT_RATE="$(awk -v c="$capacity" 'BEGIN { r = c / 5; if (r > 4) r = 4; printf "%.1f", r }')"
  say "compose-test: hashing capacity ${capacity}/s here; load at ${CT_RATE} sign-ups/s"
  : >"$CI_LOGS/compose-test-up.log"
  : >"$CI_LOGS/compose-test-steps.log"
  : >"$CI_LOGS/compose-test-refuse.log"
  t=$SECONDS
  build_compose_kit
  build_standins
  ct_row "build images (kit + stand-ins)" "ok: logs in ${CI_LOGS#"$ROOT"/}" "$((SECONDS - t))"
  rm -rf "$CT_DIR"
  mkdir -p "$CT_DIR"
  ct_write_env
  # What an interrupted run left (containers, networks, volumes): a clean start.
  ct_compose --profile not-in-compose-test --profile ha down -v --remove-orphans >>"$CI_LOGS/compose-test-up.log" 2>&1 || true
  ct_run "1 up -d: all healthy, one-shots exit 0" ct_step_up
  ct_run "1 no port published on the host" ct_step_no_host_ports ct_step_up
  ct_run "1 hardening (uid, caps, read-only) holds" ct_step_hardening ct_step_up
  ct_run "2 second up -d recreates nothing" ct_step_second_up ct_step_up
  ct_run "3 sign-up through nginx TLS accepted" ct_step_signup ct_step_up
  ct_run "3 its email is in the Maildir volume" ct_step_mail ct_step_signup
  ct_run "3 the email is DKIM-signed, signature valid" ct_step_dkim ct_step_mail
  ct_run "3 its link verifies through nginx" ct_step_verify_link ct_step_mail
  ct_run "4 bounce.test: report via listener, bounced" ct_step_bounce ct_step_signup
  ct_run "5 300 sign-ups, crashes and restarts" ct_step_load_faults ct_step_signup
  ct_run "9 sessions and tokens shared, survive restart" ct_step_shared ct_step_verify_link
  ct_run "6 Prometheus targets, rules; Grafana files" ct_step_prometheus ct_step_up
  ct_run "7 backup dump restores, row counts equal" ct_step_backup ct_step_up
  ct_run "10 PostgreSQL restart: 503, nothing lost" ct_step_postgres_restart ct_step_signup
  ct_run "8 example/placeholder values refused" ct_step_refuse ct_step_up
  ct_run "ha: up with a 3-node RabbitMQ cluster" ct_step_ha_up
  ct_run "ha: quorum queues on all 3 nodes" ct_step_ha_queues ct_step_ha_up
  ct_run "ha: a node stops under load, none lost" ct_step_ha_node_stop ct_step_ha_up
  ct_run "ha: whole again: 3 nodes, full queues" ct_step_ha_queues ct_step_ha_node_stop

  printf '\n%-44s %-6s %5s  %s\n' STEP RESULT SECS DETAIL
  printf '%s\n' "${CT_ROWS[@]}"
  echo
  # For ./stack test's summary: steps passed, failed (a skipped step failed to run), skipped.
  if [[ -n ${SALESMIND_COMPOSE_COUNTS:-} ]]; then
    echo "compose-test $CT_PASSED $((CT_FAILED - CT_SKIPPED)) $CT_SKIPPED" >"$SALESMIND_COMPOSE_COUNTS"
  fi
  compose_test_cleanup
  trap - EXIT
  ((CT_FAILED == 0)) || die "compose-test: $CT_FAILED step(s) failed or not run (logs in ${CI_LOGS#"$ROOT"/}: compose-test-*.log)"
  say "compose-test passed in $((SECONDS - started))s"
}
