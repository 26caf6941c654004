#!/usr/bin/env bash
# Restores one database from a dump made by ops/backup.sh (pg_dump -Fc).
#
#   ops/restore.sh <dump file> <database>
#
# The database is created if it does not exist; what is in it is replaced, in one transaction,
# so a failed restore leaves it as it was. Stop the service that uses the database first
# (docker compose stop identity notifier), restore, then start it again.
#
# A dump encrypted by ops/backup.sh (<name>.dump.enc) is decrypted with the passphrase file in
# BACKUP_ENCRYPTION_KEY_FILE (the same file the backups were made with).
#
# The restored objects belong to the database's owner (the service's own role, ops/db-roles.sh),
# so the service can use and migrate them.
#
# Connection: the usual PostgreSQL variables (PGHOST, PGPORT, PGUSER, PGPASSWORD). In docker
# compose, run it in the backup service, which has them and the backups volume:
#   docker compose run --rm backup /ops/restore.sh /backups/salesmind_identity-20260101T030000Z.dump salesmind_identity
set -euo pipefail

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
}

if [[ $# -ne 2 || $1 == -h || $1 == --help ]]; then
  usage >&2
  exit 2
fi

dump=$1
database=$2

if [[ ! -r $dump ]]; then
  echo "restore: cannot read the dump '$dump'" >&2
  exit 1
fi
umask 077
if [[ $dump == *.enc ]]; then
  key=${BACKUP_ENCRYPTION_KEY_FILE:-}
  if [[ -z $key || ! -r $key ]]; then
    echo "restore: '$dump' is encrypted: set BACKUP_ENCRYPTION_KEY_FILE to the passphrase file it was made with" >&2
    exit 1
  fi
  plain=$(mktemp "${TMPDIR:-/tmp}/restore.XXXXXX")
  trap 'rm -f "$plain"' EXIT
  if ! openssl enc -d -aes-256-cbc -pbkdf2 -iter 600000 -pass "file:$key" -in "$dump" -out "$plain" 2>/dev/null; then
    echo "restore: could not decrypt '$dump' with BACKUP_ENCRYPTION_KEY_FILE (wrong passphrase, or not made by ops/backup.sh)" >&2
    exit 1
  fi
  dump=$plain
fi
if [[ ! $database =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
  echo "restore: '$database' is not a plain database name (letters, digits, underscores)" >&2
  exit 1
fi
if ! pg_restore --list "$dump" >/dev/null 2>&1; then
  echo "restore: '$dump' is not a pg_dump custom-format archive (pg_dump -Fc)" >&2
  exit 1
fi

exists=$(psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$database'")
if [[ $exists != 1 ]]; then
  echo "restore: creating database $database"
  # Owned by the service's role of the same name when there is one (ops/db-roles.sh).
  role=$(psql -d postgres -Atc "SELECT rolname FROM pg_roles WHERE rolname = '$database'")
  createdb ${role:+--owner="$role"} "$database"
fi
owner=$(psql -d postgres -Atc "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$database'")

echo "restore: $dump -> $database"
# --clean --if-exists: drop what the dump creates before creating it again; one transaction and
# --exit-on-error: all of it or nothing.
# --role: everything restored is created as (so owned by) the database's owner.
pg_restore --dbname="$database" --role="$owner" --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error "$dump"

tables=$(psql -d "$database" -Atc "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
echo "restore: done, $tables tables in $database"
