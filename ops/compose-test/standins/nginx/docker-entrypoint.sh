#!/bin/bash
# Stand-in of the official nginx image's entrypoint (20-envsubst-on-templates.sh): every
# /etc/nginx/templates/**/*.template is rendered with envsubst into /etc/nginx/conf.d/ (name
# without .template), substituting only the environment variables whose names match
# NGINX_ENVSUBST_FILTER (all when unset). Then the command runs.
#
# Debian's nginx is 1.22: two directives of the production template that need 1.25+ are adapted
# in the RENDERED copy only (and said so in the log): `http2 on;` becomes the `http2` flag of the
# listen lines, and `resolve` on upstream servers is dropped (names resolved once, at start).
set -euo pipefail
if [[ ${1:-} == nginx || ${1:-} == nginx-debug ]]; then
  tdir=${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}
  odir=${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
  suffix=${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
  filter=${NGINX_ENVSUBST_FILTER:-}
  # As the official script: the names (one word each) become "${NAME} ..." for envsubst.
  # shellcheck disable=SC2016,SC2046
  defined="$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" </dev/null))"
  if [[ -d $tdir ]]; then
    while IFS= read -r t; do
      rel=${t#"$tdir"/}
      out="$odir/${rel%"$suffix"}"
      mkdir -p "$(dirname "$out")"
      echo "$0: Running envsubst on $t to $out"
      envsubst "$defined" <"$t" >"$out"
      if grep -qE '^\s*http2 on;|^\s*server .* resolve;' "$out"; then
        echo "$0: stand-in (nginx $(nginx -v 2>&1 | sed 's|.*/||')): adapting http2 on; and upstream resolve in $out"
        sed -i -E '/^\s*http2 on;/d; s/^(\s*listen [^;]*ssl)/\1 http2/; s/^(\s*server [^;]*) resolve;/\1;/' "$out"
      fi
    done < <(find "$tdir" -follow -type f -name "*$suffix" -print)
  fi
fi
exec "$@"
