# shellcheck shell=bash
# The private dockerd of ./stack compose-images and compose-test: its state, packages,
# start, stop and clean-up.
# Sourced by ./stack (ROOT, the ports and the other constants are set there).

# ---------------------------------------------------------------------------------------------
# Container images (./stack compose-images): the compose kit's images built without a registry,
# by a private dockerd whose state is all in .stack/compose/ (facts behind each choice:
# ../shared/notes/CONTAINERS.md). The local stack's services and ports are not touched.

CI_DIR="$STACK/compose"
CI_LOGS="$CI_DIR/logs"
CI_SOCK="$CI_DIR/docker.sock"
CI_PIDFILE="$CI_DIR/dockerd.pid"
# docker.io: dockerd 20.10 with its containerd and runc; mmdebstrap: the Debian base, made from
# the host's apt sources (Docker Hub and mcr.microsoft.com cannot be reached).
CI_PACKAGES=(docker.io mmdebstrap)
CI_DOCKERD_STARTED=""
# Extra flags of that dockerd (compose-test: no userland proxy).
CI_DOCKERD_ARGS=()

# The docker CLI against the private daemon. The classic builder: it needs no buildx plugin,
# and `--network host` gives builds the host's network (containers have no NAT here).
cdocker() { DOCKER_HOST="unix://$CI_SOCK" DOCKER_BUILDKIT=0 docker "$@"; }

# run_step <label> <log> <command...>: runs the command with its output in the log; on failure
# shows the log's end and stops, naming the step and the log.
run_step() {
  local label=$1 log=$2
  shift 2
  if ! "$@" >>"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "compose-images: step '$label' failed (full log: ${log#"$ROOT"/})"
  fi
}

ensure_compose_packages() {
  local missing=() p policy=/usr/sbin/policy-rc.d made_policy=""
  for p in "${CI_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  command -v docker >/dev/null 2>&1 || missing+=(docker-cli)
  ((${#missing[@]} == 0)) && return 0
  # docker.io's package script would start the system-wide dockerd (with its firewall rules and
  # /var/lib/docker): forbid service starts during the install, unless the host already does.
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# made by ./stack compose-images for one apt-get run\nexit 101\n' | priv tee "$policy" >/dev/null
    priv chmod 755 "$policy"
    made_policy=1
  fi
  say "installing ${missing[*]} (apt-get; log in ${CI_LOGS#"$ROOT"/}/apt.log)"
  local ok=1
  { priv env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    priv env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}"; } \
    >>"$CI_LOGS/apt.log" 2>&1 || ok=""
  [[ -n $made_policy ]] && priv rm -f "$policy"
  if [[ -z $ok ]]; then
    tail -n 20 "$CI_LOGS/apt.log" >&2
    die "compose-images: step 'apt-get install' failed (full log: ${CI_LOGS#"$ROOT"/}/apt.log)"
  fi
}

dockerd_pid() { pid_from "$CI_PIDFILE"; }

# The engine's processes (dockerd, containerd, shims) whose command line names .stack/compose/:
# the ones this command started, never another engine's.
compose_leftover_pids() {
  local f pid comm
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    [[ $comm =~ ^(dockerd|containerd|containerd-shim.*|docker-proxy)$ ]] || continue
    tr '\0' ' ' <"$f" 2>/dev/null | grep -qF -- "$CI_DIR/" && echo "$pid"
  done
  return 0
}

stop_compose_dockerd() {
  local pid ids i
  pid="$(dockerd_pid)"
  if alive "$pid"; then
    # What the run started: containers (the smoke tests remove theirs; this is for an aborted run).
    ids="$(cdocker ps -aq 2>/dev/null || true)"
    if [[ -n $ids ]]; then
      # shellcheck disable=SC2086 # one id per word
      cdocker rm -f $ids >>"$CI_LOGS/dockerd.log" 2>&1 || true
    fi
    priv kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do alive "$pid" || break; sleep 0.5; done
    alive "$pid" && { warn "dockerd ($pid) did not stop in 20 s: killing it"; priv kill -KILL "$pid" 2>/dev/null || true; }
  fi
  # Its containerd (and any shim) stops with it; anything still naming our directory is ours.
  for pid in $(compose_leftover_pids); do
    warn "stopping leftover process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-100)"
    priv kill -TERM "$pid" 2>/dev/null || true
  done
  # Mounts dockerd left under .stack/compose/ (after a kill -9), deepest first.
  while read -r mnt; do
    priv umount -l "$mnt" 2>/dev/null || true
  done < <(awk -v d="$CI_DIR/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -f "$CI_PIDFILE" "$CI_SOCK"
}

# dockerd as CONTAINERS.md says, plus: its own (empty) daemon.json instead of /etc/docker's, and
# --ip-forward=false, so it leaves the host's net.ipv4.ip_forward as it is.
start_compose_dockerd() {
  local i pid
  # containerd's socket lives under the exec root: unix socket paths stop at 107 bytes.
  ((${#CI_DIR} + 40 < 108)) || die "compose-images: $CI_DIR is too deep for dockerd's unix sockets (clone the repository to a shorter path)"
  stop_compose_dockerd # one left by an interrupted run
  mkdir -p "$CI_DIR/data" "$CI_DIR/exec"
  [[ -s $CI_DIR/daemon.json ]] || echo '{}' >"$CI_DIR/daemon.json"
  : >"$CI_LOGS/dockerd.log"
  say "starting a private dockerd (socket ${CI_SOCK#"$ROOT"/}, log ${CI_LOGS#"$ROOT"/}/dockerd.log)"
  priv dockerd --config-file "$CI_DIR/daemon.json" -H "unix://$CI_SOCK" \
    --data-root "$CI_DIR/data" --exec-root "$CI_DIR/exec" --pidfile "$CI_PIDFILE" \
    --iptables=false --ip6tables=false --ip-forward=false --bridge=none "${CI_DOCKERD_ARGS[@]}" \
    </dev/null >>"$CI_LOGS/dockerd.log" 2>&1 9>&- 8>&- &
  CI_DOCKERD_STARTED=1
  for ((i = 0; i < 120; i++)); do
    cdocker version >/dev/null 2>&1 && return 0
    if ((i > 4)); then
      pid="$(dockerd_pid)"
      [[ -n $pid ]] && ! alive "$pid" && break
    fi
    sleep 0.5
  done
  tail -n 20 "$CI_LOGS/dockerd.log" >&2
  die "compose-images: step 'start dockerd' failed (full log: ${CI_LOGS#"$ROOT"/}/dockerd.log)"
}

# On every exit (also a failed step): no daemon, container or mount of ours is left running.
compose_images_cleanup() {
  [[ -n $CI_DOCKERD_STARTED ]] || return 0
  CI_DOCKERD_STARTED=""
  say "stopping the private dockerd (image cache kept in ${CI_DIR#"$ROOT"/}/data)"
  stop_compose_dockerd
}

# The start of compose-images and compose-test: lock, packages, the private dockerd (stopped
# again on every exit by the trap).
compose_prepare() {
  local what=$1
  mkdir -p "$CI_LOGS"
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$CI_DIR/lock"
    flock -n 8 || die "another ./stack compose-images or compose-test is running"
  fi
  command -v dotnet >/dev/null 2>&1 || die "$what copies the host's .NET into its images: install the .NET 10 SDK first"
  ensure_compose_packages
  trap compose_images_cleanup EXIT
  start_compose_dockerd
}
