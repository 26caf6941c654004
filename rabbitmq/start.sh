#!/bin/bash
# Command of the rabbitmq service in docker-compose.yml: starts RabbitMQ through the image's own
# entrypoint and, once the node is up, makes sure the application's user exists with the
# password from the environment (RABBITMQ_DEFAULT_USER / RABBITMQ_DEFAULT_PASS).
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
READY_FILE=${READY_FILE:-/tmp/salesmind-user-ready}

# rabbitmqctl as the broker's own user, so it shares the node's Erlang cookie.
ctl() {
  if [[ $(id -u) == 0 ]]; then
    gosu rabbitmq rabbitmqctl "$@"
  else
    rabbitmqctl "$@"
  fi
}

ensure_user() {
  local user=$RABBITMQ_DEFAULT_USER deadline=$((SECONDS + 600))
  # await_startup fails at once until the node has registered: retry until it answers.
  until ctl -q await_startup --timeout 30 >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      echo "start.sh: the node did not start within 10 minutes; user '$user' not set up" >&2
      return 1
    fi
    sleep 2
  done
  # (The password is an argument of rabbitmqctl for a moment: visible only inside this container.)
  if ctl -q list_users --no-table-headers | cut -f1 | grep -qxF -- "$user"; then
    ctl -q change_password "$user" "$RABBITMQ_DEFAULT_PASS"
  else
    ctl -q add_user "$user" "$RABBITMQ_DEFAULT_PASS"
  fi
  # administrator: the management UI for operators, and the Notifier reads queue depths
  # through the management API.
  ctl -q set_user_tags "$user" administrator
  ctl -q set_permissions -p / "$user" '.*' '.*' '.*'
  touch "$READY_FILE"
  echo "start.sh: user '$user' ready on vhost /"
}

rm -f "$READY_FILE"
# In the background, detached (the broker itself must be this container's main process): the
# helper is left to the container's init process (`init: true` in the compose file), which
# reaps it when it is done.
(ensure_user &)
exec docker-entrypoint.sh rabbitmq-server
