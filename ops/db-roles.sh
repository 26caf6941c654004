#!/usr/bin/env bash
# Gives each service a PostgreSQL role of its own that owns its database and nothing else:
# salesmind_identity owns the database salesmind_identity, salesmind_notifier owns
# salesmind_notifier. Neither role is a superuser, may create databases or roles, or connect to
# the other's database (CONNECT is revoked from PUBLIC). Whoever breaks into one service reaches
# one database, not the server.
#
#   ops/db-roles.sh
#
# Idempotent: run it on every start (docker compose: the postgres-roles service; the local
# stack: ./stack up). It creates what is missing, sets the passwords, and hands objects that an
# older setup created as another user (the superuser) to the database's role, so an existing
# installation is moved over by running it once.
#
# Connection: the usual PostgreSQL variables (PGHOST, PGPORT, PGUSER, PGPASSWORD) of a superuser.
# Passwords (environment): IDENTITY_DB_PASSWORD, NOTIFIER_DB_PASSWORD. Unset or empty: the role
# gets no password (only for a server that trusts local connections, as the local stack does).
set -euo pipefail

log() { printf 'db-roles: %s\n' "$*"; }

# Waits for the server (compose starts this right after PostgreSQL reports healthy).
for ((i = 0; i < 60; i++)); do
  pg_isready -q -d postgres && break
  sleep 1
done

# ensure <database = role> <password>
ensure() {
  local name=$1 password=$2
  # psql variables (:'name', :"name") are quoted by psql itself: no value is pasted into SQL.
  psql -v ON_ERROR_STOP=1 -q -X -d postgres -v name="$name" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'name')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'name') \gexec
ALTER ROLE :"name" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
SELECT CASE WHEN :'password' = '' THEN format('ALTER ROLE %I PASSWORD NULL', :'name')
            ELSE format('ALTER ROLE %I PASSWORD %L', :'name', :'password') END \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'name') \gexec
ALTER DATABASE :"name" OWNER TO :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"name" TO :"name";
SQL
  # Inside the database: the schema and everything in it belong to the role (objects made by an
  # older setup as the superuser are handed over; sequences and indexes follow their tables).
  psql -v ON_ERROR_STOP=1 -q -X -d "$name" -v name="$name" <<'SQL'
ALTER SCHEMA public OWNER TO :"name";
SELECT format('ALTER TABLE %I.%I OWNER TO %I', n.nspname, c.relname, :'name')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND pg_get_userbyid(c.relowner) <> :'name' \gexec
SELECT format('ALTER SEQUENCE %I.%I OWNER TO %I', n.nspname, c.relname, :'name')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind = 'S' AND pg_get_userbyid(c.relowner) <> :'name'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')) \gexec
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, :'name')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> :'name' \gexec
SELECT format('ALTER TYPE %I.%I OWNER TO %I', n.nspname, t.typname, :'name')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r', 'm') AND pg_get_userbyid(t.typowner) <> :'name' \gexec
SQL
  log "role $name owns database $name"
}

# The maintenance database is for administrators only (PostgreSQL lets every role in by default).
psql -v ON_ERROR_STOP=1 -q -X -d postgres -c 'REVOKE CONNECT ON DATABASE postgres FROM PUBLIC'

ensure salesmind_identity "${IDENTITY_DB_PASSWORD:-}"
ensure salesmind_notifier "${NOTIFIER_DB_PASSWORD:-}"
