# shellcheck shell=bash
# ./stack admin-token, make-admin and remove-admin: the Identity CLI with the stack's settings.
# Sourced by ./stack (ROOT, the ports and the other constants are set there).

# An admin bearer token for an existing admin account (--name, required), signed with the stack's key.
cmd_admin_token() {
  local dll envs=() out rc=0
  dll="$(svc_dll identity)"
  [[ -f "$dll" ]] || die "$dll not built: run ./stack up first"
  ensure_auth_keys
  mapfile -t envs < <(svc_env identity)
  # The command's own refusal (no such account, not an admin) is shown; the host's log lines are not.
  mkdir -p "$RUN"
  out="$(env "${envs[@]}" dotnet "$dll" admin-token "$@" 2>"$RUN/admin-token.err")" || rc=$?
  if ((rc != 0)); then
    grep -v '^\(info\|warn\|      \)' "$RUN/admin-token.err" >&2 || true
    return "$rc"
  fi
  tail -n 1 <<<"$out"
}

# Give an existing account the admin role.
cmd_make_admin() {
  [[ $# -eq 1 ]] || die "usage: ./stack make-admin <username or email>"
  local dll envs=()
  dll="$(svc_dll identity)"
  [[ -f "$dll" ]] || die "$dll not built: run ./stack up first"
  mapfile -t envs < <(svc_env identity)
  env "${envs[@]}" dotnet "$dll" make-admin "$1" 2>&1 | grep -v '^\(info\|warn\|      \)' || true
}

# Take the admin role away from an account.
cmd_remove_admin() {
  [[ $# -eq 1 ]] || die "usage: ./stack remove-admin <username or email>"
  local dll envs=()
  dll="$(svc_dll identity)"
  [[ -f "$dll" ]] || die "$dll not built: run ./stack up first"
  mapfile -t envs < <(svc_env identity)
  env "${envs[@]}" dotnet "$dll" remove-admin "$1" 2>&1 | grep -v '^\(info\|warn\|      \)' || true
}
