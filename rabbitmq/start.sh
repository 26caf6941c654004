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
#
# A cluster (the compose profile "ha"): every node gets the same Erlang cookie
# (RABBITMQ_CLUSTER_COOKIE, written to the node's cookie file), the other nodes join
# RABBITMQ_JOIN (e.g. rabbit@rabbitmq) at their first start, and the first node reports ready
# only once RABBITMQ_CLUSTER_SIZE nodes run and every quorum queue has a member on each of
# them, so the services declare their queues on the whole cluster.
set -euo pipefail

: "${RABBITMQ_DEFAULT_USER:?set RABBITMQ_DEFAULT_USER (in .env)}"
: "${RABBITMQ_DEFAULT_PASS:?set RABBITMQ_DEFAULT_PASS (in .env)}"
: "${RABBITMQ_IDENTITY_PASSWORD:?set RABBITMQ_IDENTITY_PASSWORD (in .env)}"
: "${RABBITMQ_NOTIFIER_PASSWORD:?set RABBITMQ_NOTIFIER_PASSWORD (in .env)}"
: "${RABBITMQ_MONITOR_PASSWORD:?set RABBITMQ_MONITOR_PASSWORD (in .env)}"
READY_FILE=${READY_FILE:-/tmp/salesmind-user-ready}
CLUSTER_SIZE=${RABBITMQ_CLUSTER_SIZE:-1}
JOIN=${RABBITMQ_JOIN:-}
[[ $CLUSTER_SIZE =~ ^[1-9]$ ]] || { echo "start.sh: RABBITMQ_CLUSTER_SIZE must be 1 to 9, not '$CLUSTER_SIZE'" >&2; exit 1; }
if [[ -n $JOIN || $CLUSTER_SIZE != 1 ]]; then
  [[ ${#RABBITMQ_CLUSTER_COOKIE} -ge 20 && $RABBITMQ_CLUSTER_COOKIE != change-me* ]] ||
    { echo "start.sh: a cluster needs RABBITMQ_ERLANG_COOKIE in .env (the same secret on every node, at least 20 characters: openssl rand -hex 32)" >&2; exit 1; }
fi

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
    ctl -q add_user "$user" "$password" || ctl -q change_password "$user" "$password"
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
  echo "start.sh: users ready on vhost /"
}

# Nodes of the cluster, one per line: those running, or every member (disk_nodes lists the
# stopped ones too).
cluster_nodes() {
  ctl -q cluster_status --formatter json 2>/dev/null | tr -d ' \n' | sed -n "s/.*\"$1\":\\[\\([^]]*\\)\\].*/\\1/p" | tr ',' '\n' | tr -d '"'
}
running_nodes() { cluster_nodes running_nodes; }

# rabbitmq-queues as the broker's own user.
queues_ctl() {
  if [[ $(id -u) == 0 ]]; then
    gosu rabbitmq rabbitmq-queues "$@"
  else
    rabbitmq-queues "$@"
  fi
}

# Quorum queues with fewer members than $1, one name per line.
short_queues() {
  ctl -q list_queues --no-table-headers name type members 2>/dev/null |
    awk -F'\t' -v n="$1" '$2 == "quorum" && split($3, m, ",") < n { print $1 }'
}

await_node() {
  until ctl -q await_startup --timeout 30 >/dev/null 2>&1; do sleep 2; done
}

# This node joins $JOIN's cluster, once: a member (its disk_nodes lists $JOIN, whether running or
# not) never joins again, so a restart while $JOIN is down keeps its data. Only a blank node is
# reset (what it loaded alone, definitions included, comes from the cluster instead). Then it
# takes a member of every quorum queue (grow: idempotent), in case queues were declared before
# it joined.
join_cluster() {
  local marker=/var/lib/rabbitmq/.salesmind-joined
  await_node
  if [[ ! -f $marker ]] && ! cluster_nodes disk_nodes | grep -qxF -- "$JOIN"; then
    echo "start.sh: joining the cluster of $JOIN"
    until ctl -q stop_app && ctl -q reset && ctl -q join_cluster "$JOIN" && ctl -q start_app; do
      ctl -q start_app >/dev/null 2>&1 || true
      echo "start.sh: $JOIN not reachable yet; trying again in 5 s" >&2
      sleep 5
    done
  fi
  touch "$marker"
  queues_ctl -q grow "$(ctl -q eval 'node().' | tr -d "'")" all >/dev/null 2>&1 || true
  echo "start.sh: a member of the cluster of $JOIN; running nodes: $(running_nodes | tr '\n' ' ')"
}

# The first node. On the cluster's first formation it waits for all RABBITMQ_CLUSTER_SIZE nodes
# and until every quorum queue (the dead-letter queue of definitions.json) has a member on each,
# so the services declare their queues on the whole cluster. Afterwards (a restart) a majority
# is enough: a node down must not keep the broker unhealthy; the queues it holds a member of
# catch up when it returns.
await_cluster() {
  local marker=/var/lib/rabbitmq/.salesmind-cluster-formed need node
  need=$CLUSTER_SIZE
  [[ -f $marker ]] && need=$((CLUSTER_SIZE / 2 + 1))
  until (($(running_nodes | grep -c .) >= need)); do
    echo "start.sh: $(running_nodes | grep -c .) of the $need nodes needed are running; waiting" >&2
    sleep 5
  done
  if [[ ! -f $marker ]]; then
    # Growing is asynchronous and a node just joined may refuse for a moment.
    until [[ -z $(short_queues "$CLUSTER_SIZE") ]]; do
      for node in $(running_nodes); do queues_ctl -q grow "$node" all >/dev/null 2>&1 || true; done
      sleep 2
    done
    touch "$marker"
  fi
  echo "start.sh: cluster of $CLUSTER_SIZE nodes, running: $(running_nodes | tr '\n' ' ')"
}

# In order; any failure ends it (set -e) before the ready file, so the node stays unhealthy. The
# users are cluster-wide: the first node sets them; a joining node gets them by joining.
setup() {
  if [[ -n $JOIN ]]; then
    join_cluster
  else
    ensure_users
    if ((CLUSTER_SIZE > 1)); then
      await_cluster
    fi
  fi
  touch "$READY_FILE"
}

# The cookie, before the node starts: the same on every node of a cluster.
if [[ -n ${RABBITMQ_CLUSTER_COOKIE:-} ]]; then
  cookie=/var/lib/rabbitmq/.erlang.cookie
  if [[ ! -f $cookie || $(cat "$cookie") != "$RABBITMQ_CLUSTER_COOKIE" ]]; then
    rm -f "$cookie"
    (umask 077 && printf '%s' "$RABBITMQ_CLUSTER_COOKIE" >"$cookie")
    chmod 400 "$cookie"
    [[ $(id -u) == 0 ]] && chown rabbitmq:rabbitmq "$cookie"
  fi
fi
unset RABBITMQ_CLUSTER_COOKIE

rm -f "$READY_FILE"
# In the background, detached (the broker itself must be this container's main process): the
# helper is left to the container's init process (`init: true` in the compose file), which
# reaps it when it is done.
(setup &)
exec docker-entrypoint.sh rabbitmq-server
