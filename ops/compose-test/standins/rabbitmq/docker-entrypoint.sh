#!/bin/bash
# Stand-in of the official rabbitmq image's entrypoint: as root, own the data directory and run
# the command as the rabbitmq user (gosu); otherwise run it as given.
set -euo pipefail
if [[ ${1:-} == rabbitmq* && $(id -u) == 0 ]]; then
  chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
  exec gosu rabbitmq "${BASH_SOURCE[0]}" "$@"
fi
exec "$@"
