# shellcheck shell=bash
# ./stack compose-test: the steps that check the kit as it runs (up, hardening, sign-up, mail,
# DKIM, link, bounce, refusals, shared sessions and tokens, monitoring, backups).
# Sourced by ./stack (ROOT, the ports and the other constants are set there).

ct_step_up() {
  local i out
  # shellcheck disable=SC2034 # read by compose_test_cleanup (compose-test.sh)
  CT_UP=1
  if ! ct_compose up -d >>"$CI_LOGS/compose-test-up.log" 2>&1; then
    echo "FAIL: docker-compose up -d failed: $(grep -iE 'error|fail|unhealthy' "$CI_LOGS/compose-test-up.log" | tail -n 2 | tr '\n' ' ')"
    return 1
  fi
  for ((i = SECONDS + ${1:-180}; SECONDS < i; )); do
    ct_all_ready && { echo "ok: $(ct_states | sort | awk '{ printf "%s%s=%s", sep, $1, ($2 ~ /^exited/ ? "exit " $3 : $2); sep = ", " }')"; return 0; }
    sleep 2
  done
  out="$(ct_states | tr '\n' ';')"
  echo "FAIL: not all healthy/exited 0 in ${1:-180} s: $out"
  return 1
}

# No host port published: this dockerd has no userland proxy (and no iptables rules).
ct_step_no_host_ports() {
  local pid procs
  pid="$(dockerd_pid)"
  procs="$(pgrep -c -P "$pid" docker-proxy || true)"
  ((procs == 0)) || { echo "FAIL: $procs docker-proxy process(es) publish ports on the host"; return 1; }
  echo "ok: no docker-proxy; ports 80/443/25/15672 of the compose file bound nowhere on the host"
}

# The .NET services' hardening really holds: uid 1654, no capabilities, root and /app
# read-only, /tmp writable.
ct_step_hardening() {
  local svc id out all=""
  for svc in identity notifier identity-migrate notifier-migrate; do
    id="$(ct_container "$svc")"
    [[ -n $id ]] || { echo "FAIL: no $svc container"; return 1; }
    if [[ $svc == *-migrate ]]; then
      out="$(cdocker inspect -f '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}}' "$id")"
      [[ $out == "1654 true [ALL] [no-new-privileges:true]" ]] || { echo "FAIL: $svc: $out"; return 1; }
      continue
    fi
    # shellcheck disable=SC2016 # expanded inside the container
    out="$(cdocker exec "$id" sh -c 'id -u; grep ^CapEff /proc/self/status | tr -d "\t"; touch /app/.w 2>/dev/null && echo app-writable; touch /.w 2>/dev/null && echo root-writable; touch /tmp/.w && echo tmp-writable' 2>&1)"
    [[ $out == $'1654\nCapEff:0000000000000000\ntmp-writable' ]] || { echo "FAIL: $svc: $(tr '\n' ' ' <<<"$out")"; return 1; }
    all+="$svc "
  done
  echo "ok: ${all}uid 1654, CapEff 0, write /tmp only; migrators configured the same"
}

ct_ids() {
  local id
  for id in $(ct_ids_of); do cdocker inspect -f '{{.Name}} {{.Id}} {{.Created}}' "$id"; done | sort
}

ct_step_second_up() {
  local before after out changed
  before="$(ct_ids)"
  out="$(ct_compose up -d 2>&1)" || { echo "FAIL: second up -d: $(tail -n 2 <<<"$out" | tr '\n' ' ')"; return 1; }
  echo "$out" >>"$CI_LOGS/compose-test-up.log"
  after="$(ct_ids)"
  changed="$(diff <(echo "$before") <(echo "$after") | grep -c '^>' || true)"
  ((changed == 0)) || { echo "FAIL: $changed container(s) recreated: $(grep -iE 'recreat' <<<"$out" | tr '\n' ' ')"; return 1; }
  local i
  for ((i = 0; i < 60; i++)); do ct_all_ready && break; sleep 1; done
  ct_all_ready || { echo "FAIL: after the second up: $(ct_states | tr '\n' ';')"; return 1; }
  echo "ok: 0 recreated ($(grep -c 'up-to-date' <<<"$out") up-to-date, $(grep -c 'Starting.*done' <<<"$out") one-shot restarted and exited 0 again)"
}

CT_EMAIL=""
ct_step_signup() {
  local id code
  id="$(ct_container nginx)"
  CT_NGINX_IP="$(cdocker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$id")"
  [[ -n $CT_NGINX_IP ]] || { echo "FAIL: nginx has no address"; return 1; }
  CT_EMAIL="ct$(date +%s)@mail.test"
  code="$(ct_curl -o "$CI_LOGS/compose-test-signup.json" -w '%{http_code}' "https://$CT_DOMAIN/api/auth/register/" \
    --data-urlencode "username=ct$RANDOM$RANDOM" --data-urlencode "email=$CT_EMAIL" \
    --data-urlencode "password=Quiet-Harbor-7319-Compose" --data-urlencode industry=software \
    --data-urlencode sales_experience=1_to_3_years --data-urlencode "purpose=compose test" \
    --data-urlencode locale=en)" || true
  [[ $code == 2* ]] || { echo "FAIL: POST https://$CT_DOMAIN/api/auth/register/ answered $code: $(head -c 200 "$CI_LOGS/compose-test-signup.json" 2>/dev/null)"; return 1; }
  echo "ok: $code from nginx $CT_NGINX_IP:443 (TLS, SNI $CT_DOMAIN)"
}

CT_MAIL_FILE="$CT_DIR/mail.eml"
ct_step_mail() {
  local id i f
  id="$(ct_container mailserver)"
  for ((i = 0; i < 120; i++)); do
    f="$(cdocker exec "$id" sh -c "grep -rlF -- '$CT_EMAIL' /var/mail 2>/dev/null | head -n 1" 2>/dev/null || true)"
    if [[ -n $f ]]; then
      cdocker exec "$id" cat "$f" >"$CT_MAIL_FILE"
      echo "ok: in the mail-maildir volume after ${i}s (${f})"
      return 0
    fi
    sleep 1
  done
  echo "FAIL: no mail for $CT_EMAIL in /var/mail within 120 s"
  return 1
}

# The signature verified (dkimpy, Debian's python3-dkim) against the public key the mail server
# printed in its log (what an operator publishes as DKIM_SELECTOR._domainkey.MAIL_DOMAIN).
ct_step_dkim() {
  local sig record
  sig="$(awk '/^DKIM-Signature:/ { p = 1 } p && /^[^ \t]/ && !/^DKIM-Signature:/ { exit } p' "$CT_MAIL_FILE" | tr -d ' \t\r\n')"
  [[ -n $sig ]] || { echo "FAIL: no DKIM-Signature header"; return 1; }
  [[ $sig == *"d=$CT_MAIL_DOMAIN;"* && $sig == *"s=ct1;"* ]] || { echo "FAIL: DKIM-Signature not d=$CT_MAIL_DOMAIN s=ct1: ${sig:0:120}"; return 1; }
  record="$(cdocker logs "$(ct_container mailserver)" 2>&1 | sed -n 's/^ *value: *\(v=DKIM1;.*\)$/\1/p' | tail -n 1)"
  [[ -n $record ]] || { echo "FAIL: the mail server printed no DKIM record"; return 1; }
  # shellcheck disable=SC2016 # Python
  /usr/bin/python3 -c '
import sys, dkim
record = sys.argv[2].encode()
ok = dkim.verify(open(sys.argv[1], "rb").read(), dnsfunc=lambda name, timeout=5: record)
sys.exit(0 if ok else 1)' "$CT_MAIL_FILE" "$record" ||
    { echo "FAIL: the DKIM signature does not verify against the printed key"; return 1; }
  echo "ok: DKIM d=$CT_MAIL_DOMAIN s=ct1 verifies (dkimpy) against the key the container printed"
}

ct_step_verify_link() {
  local url location
  url="$(python3 - "$CT_MAIL_FILE" "$CT_DOMAIN" <<'EOF_PY'
import email, re, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
texts = [p.get_content() for p in msg.walk() if p.get_content_maintype() == "text"]
m = re.search(r"https://" + re.escape(sys.argv[2]) + r"/api/auth/verify-email/\?token=[A-Za-z0-9_\-.~%]+", "\n".join(texts))
print(m.group(0) if m else "")
EOF_PY
)"
  [[ -n $url ]] || { echo "FAIL: no https://$CT_DOMAIN/api/auth/verify-email/ link in the email"; return 1; }
  location="$(ct_curl -o /dev/null -w '%{http_code} %{redirect_url}' "$url")" || true
  [[ $location == 30?*email_verified.html* ]] || { echo "FAIL: the link answered '$location'"; return 1; }
  echo "ok: link from the email -> ${location}"
}

# Step 4: a sign-up to bounce.test (the mail server accepts, then bounces it): the delivery
# report (a DSN) goes mailserver -> the Notifier's report listener (notifier:2526) and the
# delivery ends "bounced" with that report recorded as source "dsn", not only from the mail log
# (read from the Notifier's database).
ct_step_bounce() {
  local addr code i status reports pg sql
  addr="ctb$(date +%s)@bounce.test"
  code="$(ct_curl -o /dev/null -w '%{http_code}' "https://$CT_DOMAIN/api/auth/register/" \
    --data-urlencode "username=ctb$RANDOM$RANDOM" --data-urlencode "email=$addr" \
    --data-urlencode "password=Quiet-Harbor-7319-Compose" --data-urlencode industry=software \
    --data-urlencode sales_experience=1_to_3_years --data-urlencode "purpose=compose test" \
    --data-urlencode locale=en)" || true
  [[ $code == 2* ]] || { echo "FAIL: sign-up to $addr answered $code"; return 1; }
  pg="$(ct_container postgres)"
  sql="select d.status || ' ' || (select count(*) from delivery_reports r where r.delivery_id = d.id and r.source = 'dsn') from deliveries d where d.recipient = '$addr'"
  for ((i = 0; i < 120; i++)); do
    read -r status reports < <(cdocker exec "$pg" psql -U salesmind -d salesmind_notifier -tAc "$sql" 2>/dev/null | head -n 1) || true
    [[ ${status:-} == bounced && ${reports:-0} -gt 0 ]] && { echo "ok: $addr bounced after ${i}s, $reports DSN report(s) received by the listener"; return 0; }
    sleep 1
  done
  echo "FAIL: $addr: status '${status:-none}', ${reports:-0} DSN report(s) after 120 s"
  return 1
}

# Step 8: a placeholder secret, or a public name still at its .env.example value, makes the
# service refuse to start (Production) with a message naming the setting. Each case is one
# `docker-compose run` of the real service with one value replaced.
ct_step_refuse() {
  local c svc kv want name i state out rc summary="" failed=""
  local cases=(
    "identity|Auth__PrivateKey=change-me-private-key-base64|PrivateKey"
    "identity|Identity__PublicBaseUrl=https://app.example.com|PublicBaseUrl"
    "notifier|Notifier__BodyEncryptionKey=change-me-run-openssl-rand-base64-32|BodyEncryptionKey"
    "notifier|Bounces__SigningKey=change-me-to-another-long-random-secret-of-48-characters|SigningKey"
    "notifier|Mail__FromAddress=no-reply@example.com|FromAddress"
    "notifier|Bounces__SigningKey=|SigningKey"
    "identity|Auth__PublicKey=|PublicKey"
  )
  for c in "${cases[@]}"; do
    IFS='|' read -r svc kv want <<<"$c"
    name="salesmind-ct-refuse-$svc"
    cdocker rm -f "$name" >/dev/null 2>&1 || true
    ct_compose run -d --no-deps --name "$name" -e "$kv" "$svc" >>"$CI_LOGS/compose-test-up.log" 2>&1 ||
      { echo "FAIL: docker-compose run $svc -e ${kv%%=*}"; return 1; }
    state=""
    for ((i = 0; i < 30; i++)); do
      state="$(cdocker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name" 2>/dev/null)"
      [[ $state == exited* ]] && break
      sleep 1
    done
    out="$(cdocker logs "$name" 2>&1)"
    echo "--- $svc with ${kv%%=*} ($state)" >>"$CI_LOGS/compose-test-refuse.log"
    echo "$out" >>"$CI_LOGS/compose-test-refuse.log"
    cdocker rm -f "$name" >/dev/null 2>&1 || true
    rc=${state#* }
    if [[ $state != exited* || $rc == 0 ]]; then
      failed+="${kv%%=*} started ($state); "
    elif ! grep -q -- "$want" <<<"$out"; then
      failed+="${kv%%=*} refused without naming it; "
    else
      summary+="${kv%%=*} "
    fi
  done
  # A secret missing from .env altogether: compose itself refuses, naming the variable.
  local var
  for var in BOUNCE_SIGNING_KEY AUTH_PRIVATE_KEY NOTIFIER_BODY_ENCRYPTION_KEY; do
    grep -v "^$var=" "$CT_DIR/.env" >"$CT_DIR/.env.missing"
    if out="$(DOCKER_HOST="unix://$CI_SOCK" docker-compose -p "$CT_PROJECT" --project-directory "$ROOT" \
      --env-file "$CT_DIR/.env.missing" -f "$ROOT/docker-compose.yml" -f "$CT_DIR/override.yml" config -q 2>&1)"; then
      failed+="compose accepted a .env without $var; "
    elif ! grep -q "set $var in .env" <<<"$out"; then
      failed+="compose refused a .env without $var without naming it; "
    else
      summary+="$var(missing) "
    fi
  done
  rm -f "$CT_DIR/.env.missing"
  [[ -z $failed ]] || { echo "FAIL: ${failed}refused as they should: ${summary:-none}"; return 1; }
  echo "ok: refused, naming the setting: $summary"
}

# Step 9: what one replica hands out the other accepts, also after both restart: a session (login
# through nginx, then /api/auth/me/ asked of each Identity replica directly) and an admin token
# (made by the CLI in one replica, used at both replicas of both services).
ct_step_shared() {
  local jar="$CT_DIR/cookies" code id ids token ip round out="" url cookie
  code="$(ct_curl -c "$jar" -o /dev/null -w '%{http_code}' -H 'X-CSRF: 1' -H 'Content-Type: application/json' \
    --data "{\"username_or_email\":\"$CT_EMAIL\",\"password\":\"Quiet-Harbor-7319-Compose\",\"locale\":\"en\"}" \
    "https://$CT_DOMAIN/api/auth/login/")" || true
  [[ $code == 200 ]] || { echo "FAIL: login of $CT_EMAIL through nginx answered $code"; return 1; }
  mapfile -t ids < <(ct_ids_of identity)
  cdocker exec "${ids[0]}" dotnet SalesMind.Identity.dll make-admin "$CT_EMAIL" >>"$CI_LOGS/compose-test-steps.log" 2>&1 ||
    { echo "FAIL: make-admin in an identity container"; return 1; }
  token="$(cdocker exec "${ids[1]}" dotnet SalesMind.Identity.dll admin-token --name "$CT_EMAIL" --minutes 30 2>/dev/null | grep -E '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' | tail -n 1)"
  [[ -n $token ]] || { echo "FAIL: admin-token printed no token"; return 1; }
  # The session cookie is Secure (sent by curl over https only): given by hand to the replicas'
  # plain-HTTP port, as nginx passes it on.
  cookie="$(awk -F'\t' 'NF >= 7 && $6 != "" { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$jar")"
  [[ -n $cookie ]] || { echo "FAIL: the login set no cookie"; return 1; }
  for round in "before restart" "after restart"; do
    if [[ $round == "after restart" ]]; then
      for id in $(ct_ids_of identity) $(ct_ids_of notifier); do cdocker restart -t 10 "$id" >/dev/null; done
      ct_wait_ready 180 || { echo "FAIL: not healthy after restarting the replicas"; return 1; }
    fi
    for id in $(ct_ids_of identity); do
      ip="$(ct_ip "$id")"
      code="$(curl -s --max-time 10 -H "Cookie: $cookie" -o /dev/null -w '%{http_code}' "http://$ip:8080/api/auth/me/")" || true
      [[ $code == 200 ]] || { echo "FAIL: $round: the session answered $code at identity $ip"; return 1; }
      code="$(curl -s --max-time 10 -H "Authorization: Bearer $token" -o /dev/null -w '%{http_code}' "http://$ip:8080/api/admin/users/?q=ct")" || true
      [[ $code == 200 ]] || { echo "FAIL: $round: the admin token answered $code at identity $ip"; return 1; }
    done
    for id in $(ct_ids_of notifier); do
      ip="$(ct_ip "$id")"
      url="http://$ip:8080/api/admin/templates/"
      code="$(curl -s --max-time 10 -H "Authorization: Bearer $token" -o /dev/null -w '%{http_code}' "$url")" || true
      [[ $code == 200 ]] || { echo "FAIL: $round: the admin token answered $code at notifier $ip"; return 1; }
    done
    out+="$round: session 2/2 identity, token 2/2 identity + 2/2 notifier; "
  done
  echo "ok: ${out}nothing uses a per-replica key ring"
}

# Step 6: Prometheus (stand-in) scrapes every replica, RabbitMQ and itself, the alert rules
# load; Grafana's provisioning is checked against it: the data source URL answers from inside
# the network, the provider's path is where the dashboards are mounted, and every panel's query
# is valid PromQL whose metrics Prometheus has.
ct_step_prometheus() {
  local prom ip i targets up total want rules want_rules out
  prom="$(ct_container prometheus)"
  [[ -n $prom ]] || { echo "FAIL: no prometheus container"; return 1; }
  ip="$(ct_ip "$prom")"
  # identity x2, notifier x2, rabbitmq, prometheus
  want=6
  for ((i = SECONDS + 120; SECONDS < i; )); do
    targets="$(curl -s --max-time 5 "http://$ip:9090/api/v1/targets?state=active" || true)"
    read -r up total < <(jq -r '.data.activeTargets | "\(map(select(.health == "up")) | length) \(length)"' <<<"$targets" 2>/dev/null) || true
    [[ ${up:-0} -ge $want && ${up:-0} == "${total:-x}" ]] && break
    sleep 3
  done
  [[ ${up:-0} -ge $want && ${up:-0} == "${total:-x}" ]] ||
    { echo "FAIL: targets up ${up:-0}/${total:-0} (want $want): $(jq -c '[.data.activeTargets[] | {job: .labels.job, health, lastError}]' <<<"$targets" 2>/dev/null)"; return 1; }
  echo "targets: $(jq -r '[.data.activeTargets[] | .labels.job] | group_by(.) | map("\(.[0]) x\(length)") | join(", ")' <<<"$targets")"
  rules="$(curl -s --max-time 5 "http://$ip:9090/api/v1/rules" | jq '[.data.groups[].rules[] | select(.type == "alerting")] | length')"
  want_rules="$(grep -c '^ *- alert:' "$ROOT/monitoring/prometheus/alerts.yml")"
  [[ $rules == "$want_rules" ]] || { echo "FAIL: $rules alert rules loaded, alerts.yml has $want_rules"; return 1; }
  # Grafana's data source URL, from a container on the compose network (nginx has curl).
  out="$(python3 -c 'import sys, re; print(re.search(r"url:\s*(\S+)", open(sys.argv[1]).read()).group(1))' "$ROOT/monitoring/grafana/provisioning/datasources/prometheus.yml")"
  cdocker exec "$(ct_container nginx)" curl -fs --max-time 5 "$out/api/v1/status/buildinfo" >/dev/null ||
    { echo "FAIL: Grafana's data source URL $out does not answer inside the compose network"; return 1; }
  if ! grep -q "path: /etc/grafana/dashboards" "$ROOT/monitoring/grafana/provisioning/dashboards/salesmind.yml" ||
    ! grep -q "./monitoring/grafana/dashboards:/etc/grafana/dashboards" "$ROOT/docker-compose.yml"; then
    echo "FAIL: the dashboard provider's path is not where docker-compose.yml mounts the dashboards"
    return 1
  fi
  out="$(python3 "$ROOT/ops/compose-test/check_dashboard.py" "$ROOT/monitoring/grafana/dashboards/salesmind.json" "http://$ip:9090")" || { echo "FAIL: checking the dashboard's queries: $out"; return 1; }
  echo "dashboard: $out"
  [[ $(jq '.bad | length' <<<"$out") == 0 ]] || { echo "FAIL: dashboard queries Prometheus refuses: $(jq -c .bad <<<"$out")"; return 1; }
  [[ $(jq '.unknown | length' <<<"$out") == 0 ]] || { echo "FAIL: dashboard metrics Prometheus does not have: $(jq -c .unknown <<<"$out")"; return 1; }
  echo "ok: targets $up/$total up (2 identity, 2 notifier, rabbitmq, prometheus), $rules/$want_rules alert rules loaded; Grafana: data source answers, provider path mounted, $(jq .queries <<<"$out") panel queries valid with known metrics"
}

# Step 7: the backup service writes a dump of each database; ops/restore.sh (in the backup
# service, as the README says) restores Identity's into a fresh database; every table's row
# count matches.
ct_step_backup() {
  local pg backup dump out table counts_a counts_b
  backup="$(ct_container backup)"
  [[ -n $backup ]] || { echo "FAIL: no backup container"; return 1; }
  cdocker exec "$backup" /ops/backup.sh once >>"$CI_LOGS/compose-test-steps.log" 2>&1 || { echo "FAIL: backup.sh once failed"; return 1; }
  dump="$(cdocker exec "$backup" sh -c 'ls -1t /backups/salesmind_identity-*.dump* 2>/dev/null | head -n 1')"
  [[ -n $dump ]] || { echo "FAIL: no dump of salesmind_identity in /backups: $(cdocker exec "$backup" ls -la /backups 2>&1 | tr '\n' ' ')"; return 1; }
  out="$(ct_compose run --rm --no-deps backup /ops/restore.sh "$dump" salesmind_restore_check 2>&1)" ||
    { echo "FAIL: restore.sh $dump: $(tail -n 3 <<<"$out" | tr '\n' ' ')"; return 1; }
  pg="$(ct_container postgres)"
  counts() {
    local db=$1 t
    for t in $(cdocker exec "$pg" psql -U salesmind -d "$db" -tAc "select tablename from pg_tables where schemaname = 'public' order by 1"); do
      echo "$t $(cdocker exec "$pg" psql -U salesmind -d "$db" -tAc "select count(*) from \"$t\"")"
    done
  }
  # The counts of the source as of the dump: nothing writes between (no sign-ups meanwhile),
  # apart from the messaging bookkeeping (the outbox relay, and the inbox rows of delivery reports
  # still arriving from the mail service); compare the tables that hold data.
  counts_a="$(counts salesmind_identity | grep -Ev '^(inbox_message|outbox_message) ')"
  counts_b="$(counts salesmind_restore_check | grep -Ev '^(inbox_message|outbox_message) ')"
  cdocker exec "$pg" psql -U salesmind -d postgres -qc "drop database salesmind_restore_check" >/dev/null 2>&1 || true
  [[ $counts_a == "$counts_b" ]] || { echo "FAIL: row counts differ: $(diff <(echo "$counts_a") <(echo "$counts_b") | grep '^[<>]' | tr '\n' ' ')"; return 1; }
  table="$(awk '$1 == "users" { print $2 }' <<<"$counts_a")"
  echo "ok: ${dump#/backups/} restored into a fresh database; $(wc -l <<<"$counts_a") tables, row counts equal (users $table; inbox and outbox rows left out: reports still arrive)"
}
