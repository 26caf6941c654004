#!/usr/bin/env bash
# Dumps the SalesMind databases on a schedule: the command of the `backup` service in
# docker-compose.yml (image postgres:15, so pg_dump matches the server).
#
#   ops/backup.sh          every BACKUP_INTERVAL_HOURS: dump each database, then delete old dumps
#   ops/backup.sh once     one round now, then exit (e.g. before an upgrade:
#                          docker compose exec backup /ops/backup.sh once)
#   ops/backup.sh health   exit 0 if every database has a dump younger than the interval plus
#                          an hour (the service's health check)
#
# Each round writes one file per database, /backups/<database>-<UTC yyyymmddTHHMMSSZ>.dump, in
# pg_dump's custom format (-Fc: compressed; ops/restore.sh restores it). A dump is written under
# a temporary name and renamed when complete, so a file with the final name is always whole.
# Dumps older than BACKUP_KEEP_DAYS are deleted, except each database's newest: if backups
# start failing, the last good one is never thrown away.
#
# Dumps hold every account and email record: they are written readable by their owner only
# (files 0600, the directory 0700). With BACKUP_ENCRYPTION_KEY_FILE set (a file holding a long
# passphrase, e.g. a docker secret; keep a copy OFF this server), each dump is also encrypted
# (openssl enc, AES-256-CBC, key from the passphrase by PBKDF2, 600,000 iterations) into
# <database>-<time>.dump.enc; ops/restore.sh decrypts it with the same file.
#
# Settings (environment): BACKUP_INTERVAL_HOURS (24), BACKUP_KEEP_DAYS (14),
# BACKUP_DATABASES ("salesmind_identity salesmind_notifier"), BACKUP_DIR (/backups),
# BACKUP_ENCRYPTION_KEY_FILE (unset: not encrypted), and the usual PostgreSQL connection
# variables (PGHOST, PGPORT, PGUSER, PGPASSWORD).
set -euo pipefail
# Nothing this script writes is readable by anyone but its owner.
umask 077

BACKUP_DIR=${BACKUP_DIR:-/backups}
BACKUP_INTERVAL_HOURS=${BACKUP_INTERVAL_HOURS:-24}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
BACKUP_DATABASES=${BACKUP_DATABASES:-salesmind_identity salesmind_notifier}

log() { printf '%s backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
die() { log "$*" >&2; exit 2; }

[[ $BACKUP_INTERVAL_HOURS =~ ^[1-9][0-9]*$ ]] || die "BACKUP_INTERVAL_HOURS must be a whole number of hours (got '$BACKUP_INTERVAL_HOURS')"
[[ $BACKUP_KEEP_DAYS =~ ^[1-9][0-9]*$ ]] || die "BACKUP_KEEP_DAYS must be a whole number of days (got '$BACKUP_KEEP_DAYS')"
read -r -a databases <<<"$BACKUP_DATABASES"
((${#databases[@]} > 0)) || die "BACKUP_DATABASES names no database"
for db in "${databases[@]}"; do
  [[ $db =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "'$db' is not a plain database name"
done
KEY_FILE=${BACKUP_ENCRYPTION_KEY_FILE:-}
SUFFIX=.dump
if [[ -n $KEY_FILE ]]; then
  [[ -r $KEY_FILE && -s $KEY_FILE ]] || die "BACKUP_ENCRYPTION_KEY_FILE '$KEY_FILE' is not a readable, non-empty file"
  command -v openssl >/dev/null 2>&1 || die "BACKUP_ENCRYPTION_KEY_FILE is set but openssl is not installed"
  SUFFIX=.dump.enc
fi

# Newest dump of a database (file names sort by time), or nothing.
newest_dump() {
  find "$BACKUP_DIR" -maxdepth 1 -type f \( -name "$1-*.dump" -o -name "$1-*.dump.enc" \) | sort | tail -n 1
}

# dump_one <database> <file>: pg_dump's custom format, encrypted when a key file is set.
dump_one() {
  if [[ -z $KEY_FILE ]]; then
    pg_dump --format=custom --file="$2" "$1"
  else
    pg_dump --format=custom "$1" | openssl enc -aes-256-cbc -pbkdf2 -iter 600000 -salt -pass "file:$KEY_FILE" -out "$2"
  fi
}

# One dump per database; returns non-zero if any failed (the others are still made).
dump_all() {
  local db stamp target partial failed=0
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  for db in "${databases[@]}"; do
    target="$BACKUP_DIR/$db-$stamp$SUFFIX"
    partial="$BACKUP_DIR/.$db-$stamp.dump.partial"
    if dump_one "$db" "$partial"; then
      mv -f "$partial" "$target"
      log "$db -> $target ($(du -h "$target" | cut -f1))"
    else
      rm -f "$partial"
      log "FAILED to dump $db (see the error above); the previous dumps are kept" >&2
      failed=1
    fi
  done
  return "$failed"
}

# Deletes dumps older than BACKUP_KEEP_DAYS, never a database's newest one.
prune() {
  local db newest file
  for db in "${databases[@]}"; do
    newest=$(newest_dump "$db")
    while IFS= read -r file; do
      [[ -n $file && $file != "$newest" ]] || continue
      rm -f -- "$file"
      log "deleted $file (older than $BACKUP_KEEP_DAYS days)"
    done < <(find "$BACKUP_DIR" -maxdepth 1 -type f \( -name "$db-*.dump" -o -name "$db-*.dump.enc" \) -mmin "+$((BACKUP_KEEP_DAYS * 1440))")
  done
  # Leftovers of a round that was killed half-way.
  find "$BACKUP_DIR" -maxdepth 1 -type f -name '.*.dump.partial' -mmin +1440 -delete
}

round() {
  local ok=0
  dump_all || ok=1
  prune
  return "$ok"
}

healthy() {
  local db file
  for db in "${databases[@]}"; do
    file=$(newest_dump "$db")
    [[ -n $file && -n $(find "$file" -mmin "-$(((BACKUP_INTERVAL_HOURS + 1) * 60))") ]] || {
      echo "no recent dump of $db"
      return 1
    }
  done
}

mkdir -p "$BACKUP_DIR"
# Older versions wrote world-readable dumps: close them too.
chmod 700 "$BACKUP_DIR" 2>/dev/null || true
find "$BACKUP_DIR" -maxdepth 1 -type f -perm /077 -exec chmod 600 {} + 2>/dev/null || true

case "${1:-}" in
  once) round; exit ;;
  health) healthy; exit ;;
  "") ;;
  *) die "unknown command '$1' (none, once or health)" ;;
esac

# Stop promptly when the container is stopped (bash would otherwise wait for `sleep`).
sleeper=""
trap 'log "stopping"; [[ -z $sleeper ]] || kill "$sleeper" 2>/dev/null; exit 0' TERM INT

until pg_isready -q -d postgres; do
  log "waiting for PostgreSQL"
  sleep 5
done

interval=$((BACKUP_INTERVAL_HOURS * 3600))
retry=$((interval < 3600 ? interval : 3600))
log "dumping ${databases[*]} every $BACKUP_INTERVAL_HOURS h into $BACKUP_DIR, keeping $BACKUP_KEEP_DAYS days"

# After a restart (deployments restart this container), continue the schedule from the last
# dump instead of dumping again at once.
next=$(date +%s)
last=$(newest_dump "${databases[0]}")
[[ -z $last ]] || next=$(($(stat -c %Y "$last") + interval))

while true; do
  now=$(date +%s)
  if ((next > now)); then
    log "next round in $(((next - now + 59) / 60)) min"
    sleep "$((next - now))" &
    sleeper=$!
    wait "$sleeper"
    sleeper=""
  fi
  if round; then
    next=$(($(date +%s) + interval))
  else
    next=$(($(date +%s) + retry))
    log "round finished with errors; trying again in $((retry / 60)) min"
  fi
done
