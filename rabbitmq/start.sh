#!/bin/bash
# Command of the rabbitmq service in docker-compose.yml: starts RabbitMQ through the image's own
# entrypoint and, once the node is up, makes sure the users exist with the passwords from the
# environment: the operators' administrator (RABBITMQ_DEFAULT_USER / RABBITMQ_DEFAULT_PASS) and
# one user per service (RABBITMQ_IDENTITY_PASSWORD, RABBITMQ_NOTIFIER_PASSWORD,
# RABBITMQ_MONITOR_PASSWORD).
#
# Why this is needed: the node loads rabbitmq/definitions.json at boot (vhost, policies, the
# dead-letter queue), and a node that loads definitions on its first boot does NOT create the
# default user from those variables ("Will not seed default virtual host and user: have
# definitions to load" in its log). The user is kept out of the definitions file so that no
# password is committed. Setting the password on every start also makes .env the one place
# where it is changed: edit it there, then `docker compose up -d`.
#
# The health check waits for $READY_FILE, so the services only start once they can log in.
set -euo pipefail

: "${RABBITMQ_DEFAULT_USER:?set RABBITMQ_DEFAULT_USER (in .env)}"
: "${RABBITMQ_DEFAULT_PASS:?set RABBITMQ_DEFAULT_PASS (in .env)}"
: "${RABBITMQ_IDENTITY_PASSWORD:?set RABBITMQ_IDENTITY_PASSWORD (in .env)}"
: "${RABBITMQ_NOTIFIER_PASSWORD:?set RABBITMQ_NOTIFIER_PASSWORD (in .env)}"
: "${RABBITMQ_MONITOR_PASSWORD:?set RABBITMQ_MONITOR_PASSWORD (in .env)}"
READY_FILE=${READY_FILE:-/tmp/salesmind-user-ready}

# rabbitmqctl as the broker's own user, so it shares the node's Erlang cookie.
ctl() {
  if [[ $(id -u) == 0 ]]; then
    gosu rabbitmq rabbitmqctl "$@"
  else
    rabbitmqctl "$@"
  fi
}

# set_user <name> <password> <tags>: creates the user or sets its password, and its tags.
set_user() {
  local user=$1 password=$2 tags=$3
  # (The password is an argument of rabbitmqctl for a moment: visible only inside this container.)
  if ctl -q list_users --no-table-headers | cut -f1 | grep -qxF -- "$user"; then
    ctl -q change_password "$user" "$password"
  else
    ctl -q add_user "$user" "$password"
  fi
  # shellcheck disable=SC2086 # tags: none, or one word each
  ctl -q set_user_tags "$user" $tags
}

ensure_users() {
  local deadline=$((SECONDS + 600))
  # await_startup fails at once until the node has registered: retry until it answers.
  until ctl -q await_startup --timeout 30 >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      echo "start.sh: the node did not start within 10 minutes; users not set up" >&2
      return 1
    fi
    sleep 2
  done
  # The operators' administrator (management UI). No service logs in with it.
  set_user "$RABBITMQ_DEFAULT_USER" "$RABBITMQ_DEFAULT_PASS" administrator
  ctl -q set_permissions -p / "$RABBITMQ_DEFAULT_USER" '.*' '.*' '.*'
  # One user per service: no tags (no management UI or API), its rights on vhost / only.
  # MassTransit declares an exchange per message type and a queue per consumer and instance,
  # so the names are not fixed in advance: the vhost is the boundary.
  set_user salesmind-identity "$RABBITMQ_IDENTITY_PASSWORD" ""
  ctl -q set_permissions -p / salesmind-identity '.*' '.*' '.*'
  set_user salesmind-notifier "$RABBITMQ_NOTIFIER_PASSWORD" ""
  ctl -q set_permissions -p / salesmind-notifier '.*' '.*' '.*'
  # The Notifier's view of queue depths: the management API with no rights on any message.
  set_user salesmind-monitor "$RABBITMQ_MONITOR_PASSWORD" monitoring
  ctl -q set_permissions -p / salesmind-monitor '^$' '^$' '^$'
  touch "$READY_FILE"
  echo "start.sh: users ready on vhost /"
}

rm -f "$READY_FILE"
# In the background, detached (the broker itself must be this container's main process): the
# helper is left to the container's init process (`init: true` in the compose file), which
# reaps it when it is done.
(ensure_users &)
exec docker-entrypoint.sh rabbitmq-server
