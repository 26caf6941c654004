# shellcheck shell=bash
# The Debian packages the local stack needs, and where PostgreSQL's binaries are.
# Sourced by ./stack (ROOT, the ports and the other constants are set there).

# python3: the test resolver (ops/stack/test-resolver.py); bind9-dnsutils: dig, which
# ops/dkim-rotate uses to see a published DKIM record; nodejs: the pages' scripts are
# syntax-checked as the browser's modules (tests/Operations.Tests/WebPageTests.cs).
PACKAGES+=(python3 bind9-dnsutils nodejs)

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing packages: ${missing[*]} (this script installs them with apt-get on Debian/Ubuntu)"
  say "installing ${missing[*]} (apt-get; log in .stack/logs/apt.log)"
  # Package scripts may try to start the system-wide services; they use the default ports,
  # which the stack does not use, so they are left alone.
  if ! { priv env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
         priv env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}"; } \
       >>"$LOGS/apt.log" 2>&1; then
    tail -n 20 "$LOGS/apt.log" >&2
    die "apt-get failed (full log: .stack/logs/apt.log)"
  fi
}

pg_bin() {
  local v
  if [[ -x /usr/lib/postgresql/15/bin/postgres ]]; then
    printf '/usr/lib/postgresql/15/bin'
    return
  fi
  v="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -n | tail -n 1)"
  [[ -n "$v" ]] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
  warn "PostgreSQL 15 not installed, using $v"
  printf '/usr/lib/postgresql/%s/bin' "$v"
}
