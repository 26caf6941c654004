# shellcheck shell=bash
# What every module uses: messages, root, secrets, ports, processes, files.
# Sourced by ./stack (ROOT, the ports and the other constants are set there).

say() { printf '%s ==> %s\n' "$(date +%H:%M:%S)" "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as root (directly, or through sudo when we are not root).
priv() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "'$1' needs root and sudo is not available: run ./stack as root"
  fi
}

as_postgres() { priv runuser -u postgres -- "$@"; }

# A secret of the local stack (made once, kept in .stack/secrets/, readable by its owner only):
# 48 hex digits, or with "base64" as second argument 32 random bytes in base64.
stack_secret() {
  local file="$STACK/secrets/$1"
  if [[ ! -s $file ]]; then
    mkdir -p "$STACK/secrets"
    chmod 700 "$STACK/secrets"
    if [[ ${2:-} == base64 ]]; then
      (umask 077 && openssl rand -base64 32 >"$file")
    else
      (umask 077 && openssl rand -hex 24 >"$file")
    fi
  fi
  cat "$file"
}

# Is anything listening on this TCP port? (ss does not connect, so no noise in the logs.)
port_open() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# A live process (zombies left for an init that does not reap them do not count).
alive() {
  [[ -n "${1:-}" && -r "/proc/$1/status" ]] || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# First number in a pid file (postmaster.pid has more lines, master.pid is space-padded).
pid_from() {
  local pid=""
  if [[ -r "$1" ]]; then
    read -r pid <"$1" || true
  elif ((EUID != 0)) && command -v sudo >/dev/null 2>&1; then
    # e.g. postmaster.pid inside the postgres-only data directory
    pid="$(sudo -n head -n 1 "$1" 2>/dev/null || true)"
  fi
  pid="${pid//[!0-9]/}"
  printf '%s' "$pid"
}

# Fail early when a port we need is already taken by something that is not ours.
require_free_port() {
  local name=$1 port=$2
  if port_open "$port"; then
    local who=""
    command -v ss >/dev/null 2>&1 && who="$(priv ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:.*' | head -n 1 || true)"
    die "$name: port 127.0.0.1:$port is already in use${who:+ by $who}; stop that process (or ./stack down) and retry"
  fi
}

# Replace $2 with $1 when they differ; returns 0 if the file changed.
install_if_changed() {
  local new=$1 dest=$2
  if [[ -f "$dest" ]] && cmp -s "$new" "$dest"; then
    rm -f "$new"
    return 1
  fi
  mv -f "$new" "$dest"
  return 0
}

# The postgres, rabbitmq and www-data users must be able to reach .stack/ and web/.
ensure_traversable() {
  local d=$STACK
  while [[ "$d" != "/" ]]; do
    if [[ -d "$d" && "$(stat -c %A "$d")" != *[xt] ]]; then
      priv chmod o+x "$d"
      note "made $d traversable (o+x) for the service users"
    fi
    d="$(dirname "$d")"
  done
}
