# shellcheck shell=bash
# ./stack compose-test: the steps under load and faults (crashes and restarts, the ha profile's
# RabbitMQ cluster, a PostgreSQL restart) and the load client around them.
# Sourced by ./stack (ROOT, the ports and the other constants are set there).

# The number of result lines the load client has written so far.
ct_sent() { [[ -f $1 ]] && wc -l <"$1" || echo 0; }

# Kills a container's main process from the host (a crash, not a stop): the restart policy
# brings it back, as it would after an out-of-memory kill.
ct_crash() { kill -9 "$(cdocker inspect -f '{{.State.Pid}}' "$1")"; }

# Load through the front door (ops/compose-test/signups.py) in the background: ct_load_start
# <count> <name>; results in $CI_LOGS/compose-test-<name>.txt, one line per sign-up.
CT_LOAD_PID=""
CT_LOAD_PREFIX=""
CT_RATE=5
# A fault of the scenario: ct_fault <what> <command...>. One that does not happen (the command
# failed) fails the step, or the step would pass without the fault it claims.
CT_FAULTS=""
CT_FAULTS_FAILED=""
ct_fault() {
  local what=$1 results=$2
  shift 2
  if "$@" >/dev/null 2>&1; then
    CT_FAULTS+="$what at $(ct_sent "$results"); "
  else
    CT_FAULTS_FAILED+="$what ($*) failed; "
  fi
}

CT_LOAD_COUNT=0
ct_load_start() {
  local count=$1 name=$2
  CT_LOAD_COUNT=$count
  CT_FAULTS=""
  CT_FAULTS_FAILED=""
  CT_LOAD_PREFIX="ct${name//[^a-z]/}$(date +%s)x"
  : >"$CI_LOGS/compose-test-$name.txt"
  python3 "$ROOT/ops/compose-test/signups.py" "$CT_NGINX_IP" "$CT_DOMAIN" "$count" "$CT_RATE" "$CT_LOAD_PREFIX" \
    "$CI_LOGS/compose-test-$name.txt" >"$CI_LOGS/compose-test-$name.out" 2>&1 &
  CT_LOAD_PID=$!
}

# Waits until the load has sent $2 sign-ups (results file $1), or 3 minutes: faults land in the
# middle of the load, whatever the machine's speed.
ct_wait_sent() { local until=$((SECONDS + 180)); while (($(ct_sent "$1") < $2 && SECONDS < until)); do sleep 0.5; done; }

# After the load: every accepted sign-up's email in the Maildir exactly once (Postfix's
# Delivered-To, until each has one or 5 minutes have passed) and at least 99 % accepted.
# ct_load_verdict <name>: prints "ok: ..." or "FAIL: ...".
ct_load_verdict() {
  local name=$1 faults=$CT_FAULTS results="$CI_LOGS/compose-test-$1.txt" accepted total missing dup i counts
  wait "$CT_LOAD_PID" || true
  cat "$CI_LOGS/compose-test-$name.out"
  echo "faults: $faults"
  total="$(ct_sent "$results")"
  ((total == CT_LOAD_COUNT)) || { echo "FAIL: the load client ended after $total of $CT_LOAD_COUNT sign-ups: $(tail -n 3 "$CI_LOGS/compose-test-$name.out" | tr '\n' ' ')"; return 1; }
  [[ -z $CT_FAULTS_FAILED ]] || { echo "FAIL: a fault did not happen: $CT_FAULTS_FAILED"; return 1; }
  accepted="$(awk '$3 ~ /^2/' "$results" | wc -l)"
  echo "answers: $(awk '{ print $3 }' "$results" | sort | uniq -c | tr '\n' ' ')"
  ct_wait_ready 240 || { echo "FAIL: not healthy again after the faults: $(ct_states | tr '\n' ';')"; return 1; }
  awk '$3 ~ /^2/ { print $2 }' "$results" | sort >"$CI_LOGS/compose-test-$name-accepted.txt"
  for ((i = SECONDS + 300; ; )); do
    cdocker exec "$(ct_container mailserver)" sh -c \
      "find /var/mail -type f \( -path '*/new/*' -o -path '*/cur/*' \) -exec grep -h -m1 -i '^Delivered-To: $CT_LOAD_PREFIX' {} + 2>/dev/null" |
      awk '{ print tolower($2) }' | sort >"$CI_LOGS/compose-test-$name-mails.txt" || true
    missing="$(comm -23 "$CI_LOGS/compose-test-$name-accepted.txt" <(sort -u "$CI_LOGS/compose-test-$name-mails.txt") | wc -l)"
    ((missing == 0 || SECONDS >= i)) && break
    sleep 3
  done
  dup="$(uniq -d "$CI_LOGS/compose-test-$name-mails.txt" | wc -l)"
  counts="$(head -n 1 "$CI_LOGS/compose-test-$name.out"): $accepted/$total accepted ($((accepted * 1000 / total / 10)).$((accepted * 1000 / total % 10)) %; $(grep -c '^[0-9]* [^ ]* 2[0-9]*+retried' "$results") after a 503 and its Retry-After), $missing missing, $dup duplicated; $faults"
  # Every final answer that was not an acceptance, counted, so a failure says what came back.
  counts+="$(awk '$3 !~ /^2/ { n[$3]++ } END { for (s in n) printf " %s x%d;", s, n[s] }' "$results")"
  ((total > 0 && missing == 0 && dup == 0 && accepted * 100 >= total * 99)) || { echo "FAIL: $counts"; return 1; }
  echo "ok: $counts"
}

# Step 5: 300 sign-ups through nginx while one replica of identity and one of notifier crash,
# RabbitMQ restarts and the mail server restarts.
ct_step_load_faults() {
  local results="$CI_LOGS/compose-test-load.txt" n ids
  n="$(ct_ids_of identity | wc -l) $(ct_ids_of notifier | wc -l)"
  [[ $n == "2 2" ]] || { echo "FAIL: replicas (identity notifier) are '$n', not '2 2'"; return 1; }
  ct_load_start 300 load
  ct_wait_sent "$results" 40
  mapfile -t ids < <(ct_ids_of identity)
  ct_fault "identity replica crashed" "$results" ct_crash "${ids[0]}"
  ct_wait_sent "$results" 90
  mapfile -t ids < <(ct_ids_of notifier)
  ct_fault "notifier replica crashed" "$results" ct_crash "${ids[0]}"
  ct_wait_sent "$results" 140
  ct_fault "rabbitmq restarted" "$results" cdocker restart -t 10 "$(ct_container rabbitmq)"
  ct_wait_sent "$results" 200
  ct_fault "mailserver restarted" "$results" cdocker restart -t 10 "$(ct_container mailserver)"
  ct_load_verdict load
}

# The profile "ha": the whole kit again (down -v first), now with a three-node RabbitMQ cluster
# (RABBITMQ_CLUSTER_SIZE=3, RABBITMQ_NODES, a cookie) as .env.example describes it.
CT_PROFILE=()
ct_step_ha_up() {
  ct_compose --profile not-in-compose-test --profile ha down -v --remove-orphans >>"$CI_LOGS/compose-test-up.log" 2>&1 ||
    { echo "FAIL: down -v before the ha run"; return 1; }
  cat >>"$CT_DIR/.env" <<EOF_HA
COMPOSE_PROFILES=ha
RABBITMQ_CLUSTER_SIZE=3
RABBITMQ_NODES=rabbitmq,rabbitmq-2,rabbitmq-3
RABBITMQ_ERLANG_COOKIE=$(openssl rand -hex 32)
EOF_HA
  # shellcheck disable=SC2034 # read by ct_compose (compose-test.sh)
  CT_PROFILE=(--profile ha)
  # The first node is healthy only once the other two have joined.
  ct_step_up 360 || return 1
  local n
  n="$(ct_ids_of rabbitmq-2 | wc -l)$(ct_ids_of rabbitmq-3 | wc -l)"
  [[ $n == 11 ]] || { echo "FAIL: the ha profile started no rabbitmq-2/rabbitmq-3"; return 1; }
  CT_NGINX_IP="$(ct_ip "$(ct_container nginx)")"
  echo "ok: $(ct_states | grep -c .) containers healthy or done, with rabbitmq-2 and rabbitmq-3"
}

# Three nodes running, and every durable queue (the services' and the dead-letter queue) a
# quorum queue with a member on each node (management API, the operators' user).
ct_step_ha_queues() {
  local ip user pass queues nodes bad n
  ip="$(ct_ip "$(ct_container rabbitmq)")"
  user="$(sed -n 's/^RABBITMQ_DEFAULT_USER=//p' "$CT_DIR/.env")"
  pass="$(sed -n 's/^RABBITMQ_DEFAULT_PASS=//p' "$CT_DIR/.env")"
  nodes="$(curl -s --max-time 10 -u "$user:$pass" "http://$ip:15672/api/nodes" | jq -r '[.[] | select(.running)] | length')"
  [[ $nodes == 3 ]] || { echo "FAIL: $nodes node(s) running, not 3"; return 1; }
  queues="$(curl -s --max-time 10 -u "$user:$pass" "http://$ip:15672/api/queues/%2F")"
  n="$(jq '[.[] | select(.durable)] | length' <<<"$queues")"
  bad="$(jq -r '[.[] | select(.durable) | select(.type != "quorum" or ((.members // []) | length) != 3) | "\(.name) \(.type) \((.members // []) | length)"] | join("; ")' <<<"$queues")"
  ((n > 0)) || { echo "FAIL: no durable queue"; return 1; }
  [[ -z $bad ]] || { echo "FAIL: not quorum on 3 nodes: $bad"; return 1; }
  echo "ok: 3 nodes running; $n durable queues, each a quorum queue with a member on every node"
}

# Under load, the node the services name first (rabbitmq) stops for a while, rabbitmq-2
# restarts meanwhile, and rabbitmq comes back: the services move to the other nodes, the queues
# keep their majority, nothing is lost; afterwards the cluster is whole again (next step).
ct_step_ha_node_stop() {
  local results="$CI_LOGS/compose-test-ha.txt" node
  node="$(ct_container rabbitmq)"
  ct_load_start 150 ha
  ct_wait_sent "$results" 30
  ct_fault "node rabbitmq stopped" "$results" cdocker stop -t 10 "$node"
  # A member restarting while the node it joined is down must stay a member with its data.
  ct_wait_sent "$results" 60
  ct_fault "rabbitmq-2 restarted meanwhile" "$results" cdocker restart -t 10 "$(ct_container rabbitmq-2)"
  ct_wait_sent "$results" 110
  ct_fault "rabbitmq started again" "$results" cdocker start "$node"
  ct_load_verdict ha
}

# Step 10: while PostgreSQL restarts, the API answers 503 with Retry-After and a problem body,
# never 500 (nor a gateway error); sign-ups keep arriving meanwhile, and every one accepted (202,
# also after a 503 and its Retry-After) is stored.
ct_step_postgres_restart() {
  local pg users_before users_after log="$CI_LOGS/compose-test-pgrestart.txt" pid i n
  pg="$(ct_container postgres)"
  users_before="$(cdocker exec "$pg" psql -U salesmind -d salesmind_identity -tAc 'select count(*) from users')"
  : >"$log"
  touch "$CT_DIR/probing"
  # A request that needs the database, twice a second: the status, Retry-After and content type.
  (
    while [[ -f $CT_DIR/probing ]]; do
      ct_curl -o /dev/null -D - -H 'X-CSRF: 1' -H 'Content-Type: application/json' \
        --data '{"username_or_email":"nobody-ct@mail.test","password":"Wrong-Password-1234","locale":"en"}' \
        "https://$CT_DOMAIN/api/auth/login/" 2>/dev/null |
        awk 'BEGIN { IGNORECASE = 1; s = "none"; r = "-"; c = "-" } /^HTTP\// { s = $2 } tolower($1) == "retry-after:" { r = $2 } tolower($1) == "content-type:" { c = $2 } END { print s, r, c }' | tr -d '\r' >>"$log"
      sleep 0.5
    done
  ) &
  pid=$!
  # Sign-ups through the outage too: every one answered 202 must be stored.
  ct_load_start 40 pgload
  for ((i = 0; i < 20 && $(wc -l <"$log") < 4; i++)); do sleep 0.5; done
  # The restart, held open until the outage has been seen a few times (a restart alone takes
  # about a second here, between two probes).
  cdocker stop -t 10 "$pg" >/dev/null
  n=$(wc -l <"$log")
  for ((i = 0; i < 40 && $(wc -l <"$log") < n + 4; i++)); do sleep 0.5; done
  cdocker start "$pg" >/dev/null
  # Until the database answers the services again and a few answers more.
  for ((i = SECONDS + 90; SECONDS < i; )); do
    [[ $(tail -n 3 "$log" | awk '$1 == 503' | wc -l) == 0 ]] && cdocker exec "$pg" pg_isready -q && break
    sleep 1
  done
  sleep 2
  rm -f "$CT_DIR/probing"
  wait "$pid" || true
  wait "$CT_LOAD_PID" || true
  echo "answers: $(awk '{ print $1 "/" $2 "/" $3 }' "$log" | sort | uniq -c | tr '\n' ' ')"
  users_after="$(cdocker exec "$pg" psql -U salesmind -d salesmind_identity -tAc 'select count(*) from users')"
  local bad n503
  bad="$(awk '!($1 == 401 || $1 == 429 || ($1 == 503 && $2 != "-" && $3 ~ /problem\+json/))' "$log" | awk '{ print $1 }' | sort | uniq -c | tr '\n' ' ')"
  n503="$(awk '$1 == 503' "$log" | wc -l)"
  [[ -z $bad ]] || { echo "FAIL: answers other than 401/429 or 503+Retry-After+problem: $bad"; return 1; }
  ((n503 > 0)) || { echo "FAIL: no 503 seen while PostgreSQL restarted (the probe missed the outage?)"; return 1; }
  local loaded accepted stored bad_signups
  loaded="$CI_LOGS/compose-test-pgload.txt"
  accepted="$(awk '$3 ~ /^2/' "$loaded" | wc -l)"
  stored="$(awk '$3 ~ /^2/ { printf "%s\x27%s\x27", sep, $2; sep = "," }' "$loaded")"
  stored="$(cdocker exec "$pg" psql -U salesmind -d salesmind_identity -tAc "select count(*) from users where email in (${stored:-''})")"
  bad_signups="$(awk '!($3 ~ /^2/ || $3 ~ /^503/)' "$loaded" | awk '{ print $3 }' | sort | uniq -c | tr '\n' ' ')"
  [[ -z $bad_signups ]] || { echo "FAIL: sign-ups answered other than 202 or 503: $bad_signups"; return 1; }
  ((accepted > 0 && stored == accepted)) || { echo "FAIL: $accepted sign-ups accepted through the outage, $stored stored"; return 1; }
  ((users_after >= users_before + accepted)) || { echo "FAIL: users $users_before before, $users_after after $accepted accepted"; return 1; }
  echo "ok: $(wc -l <"$log") probes, $n503 answered 503 with Retry-After and a problem body, none 500/502; $accepted of $(wc -l <"$loaded") sign-ups through the outage accepted, all $stored stored; users $users_before before, $users_after after"
}
