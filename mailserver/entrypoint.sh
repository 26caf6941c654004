#!/bin/bash
# The mail server container: Postfix with the shared configuration from mailserver/postfix/
# plus this container's own settings (from the environment, see .env.example), and OpenDKIM,
# which signs the application's mail with the domain's DKIM key.
#
#   entrypoint.sh                  configure, start OpenDKIM, run Postfix in the foreground
#   entrypoint.sh configure DIR    only apply the container's settings to the Postfix
#                                  configuration in DIR (how ops/check-production-config.sh
#                                  runs `postfix check` on exactly what the container runs)
#
# Listeners:
#   25    the application's mail (Notifier), from MAIL_TRUSTED_NETWORKS only; signed by OpenDKIM.
#   2525  mail from the internet (published as the server's port 25): ONLY reports for
#         BOUNCE_DOMAIN are accepted, everything else is refused, so it can never relay.
# Logs: Postfix writes /var/log/mail/postfix.log (a volume the Notifier reads to learn each
# message's fate), copied to standard output; OpenDKIM logs through syslog to standard output.
set -euo pipefail

: "${MAIL_HOSTNAME:=mail.salesmind.test}"
: "${MAIL_DOMAIN:=salesmind.test}"
: "${DKIM_SELECTOR:=s1}"
# Networks allowed to hand mail to this server: loopback unless told (compose passes its own subnet).
: "${MAIL_TRUSTED_NETWORKS:=127.0.0.0/8}"
# disabled: nothing leaves the container (default); direct: deliver via DNS MX lookups;
# relay: hand everything to MAIL_RELAYHOST (with MAIL_RELAY_USERNAME / _PASSWORD if it wants a login).
: "${MAIL_OUTBOUND:=disabled}"
: "${MAIL_RELAYHOST:=}"
: "${MAIL_RELAY_USERNAME:=}"
: "${MAIL_RELAY_PASSWORD:=}"
# Delivery reports for the application's messages go to the Notifier's report listener.
: "${BOUNCE_DOMAIN:=bounces.salesmind.test}"
: "${BOUNCE_LISTENER:=[notifier]:2526}"
# The log is rotated when it grows past this size; this many rotated (gzipped) files are kept.
: "${MAIL_LOG_ROTATE_MB:=100}"
: "${MAIL_LOG_KEEP:=5}"

MAIL_LOG=/var/log/mail/postfix.log
DKIM_KEYS=/etc/opendkim/keys
DKIM_RUN=/run/opendkim

die() { echo "entrypoint.sh: $*" >&2; exit 1; }

# Names reserved for documentation (RFC 2606, RFC 6761: example.com/.net/.org and their
# subdomains, anything under .example or .invalid) belong to nobody: a server still on the
# .env.example names would sign mail for example.com and never receive a report. (.test names
# are fine: the local stack and the tests use them.)
is_example_name() {
  local name=${1,,}
  case "${name%.}" in
    example.com | *.example.com | example.net | *.example.net | example.org | *.example.org | \
      example | *.example | invalid | *.invalid) return 0 ;;
    *) return 1 ;;
  esac
}

for setting in MAIL_DOMAIN MAIL_HOSTNAME BOUNCE_DOMAIN; do
  if is_example_name "${!setting}"; then
    die "refusing to start: $setting is still an example name (${!setting}); set it in .env to a name of your own domain"
  fi
done

# Writes every container-specific setting into the Postfix configuration in directory $1.
configure_postfix() {
  local dir=$1
  pc() { postconf -c "$dir" "$@"; }

  pc -e \
    "myhostname=${MAIL_HOSTNAME}" \
    "mynetworks=${MAIL_TRUSTED_NETWORKS}" \
    "inet_interfaces=all" \
    "maillog_file=${MAIL_LOG}" \
    "queue_directory=/var/spool/postfix" \
    "data_directory=/var/lib/postfix" \
    "virtual_mailbox_base=/var/mail"

  # DKIM: every message goes through OpenDKIM (same container). Mail the application submits
  # (smtpd) and mail Postfix writes itself, such as bounces (non_smtpd). If OpenDKIM is down the
  # message is refused for now (4xx), so nothing unsigned leaves: the Notifier retries.
  pc -e \
    "smtpd_milters=inet:127.0.0.1:8891" \
    "non_smtpd_milters=\$smtpd_milters" \
    "milter_default_action=tempfail"

  # Outgoing TLS whenever the other side offers it; the log says whether it was used.
  pc -e \
    "smtp_tls_security_level=may" \
    "smtp_tls_CApath=/etc/ssl/certs" \
    "smtp_tls_loglevel=1"

  case "${MAIL_OUTBOUND}" in
    disabled) ;;
    direct)
      # Per-destination pacing: the large mailbox providers get their own transports and limits
      # (provider_transport, master.cf, main.cf). After `transport`, whose test domains and
      # bounce-domain route come first. Not with a relay: there the relay's servers talk to the
      # providers, and an entry here would bypass the relay (an empty next hop is the domain's MX).
      pc -e "default_transport=smtp" "smtp_dns_support_level=enabled" \
        "transport_maps=texthash:\$config_directory/transport, texthash:\$config_directory/provider_transport" ;;
    relay)
      [[ -n "${MAIL_RELAYHOST}" ]] || die "MAIL_OUTBOUND=relay needs MAIL_RELAYHOST (e.g. [smtp.example.com]:587)"
      pc -e "default_transport=smtp" "relayhost=${MAIL_RELAYHOST}" "smtp_dns_support_level=enabled"
      if [[ -n "${MAIL_RELAY_USERNAME}" ]]; then
        [[ -n "${MAIL_RELAY_PASSWORD}" ]] || die "MAIL_RELAY_USERNAME is set but MAIL_RELAY_PASSWORD is empty"
        # Read by Postfix as root before it drops privileges: root-only file.
        (umask 077; printf '%s %s:%s\n' "${MAIL_RELAYHOST}" "${MAIL_RELAY_USERNAME}" "${MAIL_RELAY_PASSWORD}" >"$dir/relay_password")
        # A password is only ever sent encrypted.
        pc -e \
          "smtp_sasl_auth_enable=yes" \
          "smtp_sasl_password_maps=texthash:\$config_directory/relay_password" \
          "smtp_sasl_security_options=noanonymous" \
          "smtp_sasl_tls_security_options=noanonymous" \
          "smtp_tls_security_level=encrypt"
      fi ;;
    *)
      die "MAIL_OUTBOUND must be disabled, direct or relay (got '${MAIL_OUTBOUND}')" ;;
  esac

  # Route the bounce domain to the Notifier (once: the entrypoint runs again on every restart).
  grep -q "^${BOUNCE_DOMAIN} " "$dir/transport" || printf '%s smtp:%s\n' "${BOUNCE_DOMAIN}" "${BOUNCE_LISTENER}" >>"$dir/transport"

  # The listener for the internet: reports addressed to the bounce domain, nothing else (no
  # relaying, no test domains), not signed, and not trusted by address: behind docker's port
  # publishing a connection may appear to come from the docker network itself.
  printf '%s OK\n' "${BOUNCE_DOMAIN}" >"$dir/inbound_domains"
  pc -e "inbound_recipient_restrictions=check_recipient_access texthash:\$config_directory/inbound_domains, reject"
  pc -Me "2525/inet=2525 inet n - n - - smtpd"
  pc -P \
    "2525/inet/syslog_name=postfix/inbound" \
    "2525/inet/smtpd_relay_restrictions=\$inbound_recipient_restrictions" \
    "2525/inet/smtpd_recipient_restrictions=\$inbound_recipient_restrictions" \
    "2525/inet/smtpd_milters=" \
    "2525/inet/smtpd_helo_required=yes"
}

if [[ "${1:-}" == configure ]]; then
  [[ -d "${2:-}" ]] || die "usage: entrypoint.sh configure <postfix config dir>"
  configure_postfix "$2"
  exit 0
fi

[[ "${MAIL_LOG_ROTATE_MB}" =~ ^[1-9][0-9]*$ ]] || die "MAIL_LOG_ROTATE_MB must be a whole number of megabytes"
[[ "${MAIL_LOG_KEEP}" =~ ^[0-9]+$ ]] || die "MAIL_LOG_KEEP must be a whole number"

configure_postfix /etc/postfix

# Long queue ids (main.cf): short ones are reused, and the Notifier tells messages apart in this
# log by queue id. Said at every start; the Notifier checks it too (its mail-log health check).
long_queue_ids="$(postconf -h enable_long_queue_ids)"
echo "entrypoint.sh: enable_long_queue_ids = ${long_queue_ids}"
if [[ "${long_queue_ids}" != yes ]]; then
  echo "entrypoint.sh: WARNING: enable_long_queue_ids is not 'yes': queue ids are reused and the Notifier may misread the log; set it in mailserver/postfix/main.cf" >&2
fi

# The test-domain Maildir is written by the virtual delivery agent as uid/gid 65534.
mkdir -p /var/mail/maildir
chown 65534:65534 /var/mail/maildir

# The log directory is shared with the Notifier (read-only there); Postfix creates the file 0644.
mkdir -p "$(dirname "$MAIL_LOG")"
chmod 755 "$(dirname "$MAIL_LOG")"

# --- DKIM key and tables: made on the first start, kept in the key volume ----------------------
# KeyTable / SigningTable name the signing selector. They are written once, for DKIM_SELECTOR;
# after that ops/dkim-rotate changes them (a rotation), so a later DKIM_SELECTOR does not.
mkdir -p "$DKIM_KEYS"
if [[ ! -s "$DKIM_KEYS/KeyTable" ]]; then
  key="$DKIM_KEYS/${DKIM_SELECTOR}.private"
  if [[ ! -s "$key" ]]; then
    echo "entrypoint.sh: no DKIM key $key: creating a 2048-bit key for ${MAIL_DOMAIN}, selector ${DKIM_SELECTOR}"
    opendkim-genkey -b 2048 -d "${MAIL_DOMAIN}" -s "${DKIM_SELECTOR}" -D "$DKIM_KEYS"
  fi
  printf '%s._domainkey.%s %s:%s:%s\n' "${DKIM_SELECTOR}" "${MAIL_DOMAIN}" "${MAIL_DOMAIN}" "${DKIM_SELECTOR}" "$key" >"$DKIM_KEYS/KeyTable"
  # the domain and its subdomains (OpenDKIM's SubDomains does not apply to a SigningTable)
  printf '*@%s %s._domainkey.%s\n*@*.%s %s._domainkey.%s\n' "${MAIL_DOMAIN}" "${DKIM_SELECTOR}" "${MAIL_DOMAIN}" \
    "${MAIL_DOMAIN}" "${DKIM_SELECTOR}" "${MAIL_DOMAIN}" >"$DKIM_KEYS/SigningTable"
fi
read -r _ signing <"$DKIM_KEYS/KeyTable" || true
IFS=: read -r signing_domain signing_selector key <<<"${signing:-}"
[[ -n "${key:-}" && -s "$key" ]] || die "$DKIM_KEYS/KeyTable names no key file that exists (${key:-nothing})"
if [[ "$signing_selector" != "${DKIM_SELECTOR}" ]]; then
  echo "entrypoint.sh: signing with selector $signing_selector (KeyTable, from ops/dkim-rotate); DKIM_SELECTOR=${DKIM_SELECTOR} only names the first key"
fi
chown -R opendkim:opendkim "$DKIM_KEYS"
chmod 700 "$DKIM_KEYS"
find "$DKIM_KEYS" -maxdepth 1 -name '*.private' -exec chmod 600 {} +
# The record, derived from the key itself (so it is right for a key brought from elsewhere too).
public_key="$(openssl rsa -in "$key" -pubout -outform DER 2>/dev/null | base64 -w0)" || die "cannot read the DKIM key $key"
cat <<EOF
DKIM key for ${signing_domain}, selector ${signing_selector} ($key). Publish this DNS record (once):
  name:  ${signing_selector}._domainkey.${signing_domain}
  type:  TXT
  value: v=DKIM1; h=sha256; k=rsa; p=${public_key}
EOF
# The public halves only, for the Notifier's domain health (DomainHealth:DkimPublicKeyPath).
mkdir -p "$DKIM_KEYS/public"
[[ -s "$DKIM_KEYS/public/${signing_selector}.txt" ]] || printf '%s._domainkey IN TXT "v=DKIM1; h=sha256; k=rsa; p=%s"\n' \
  "$signing_selector" "$public_key" >"$DKIM_KEYS/public/${signing_selector}.txt"
[[ -s "$DKIM_KEYS/public/signing-selector" ]] || echo "$signing_selector" >"$DKIM_KEYS/public/signing-selector"
chmod 755 "$DKIM_KEYS/public"

mkdir -p "$DKIM_RUN"
chown opendkim:opendkim "$DKIM_RUN"
# One network per line (the setting is separated by spaces or commas, as Postfix allows).
tr -s ' ,' '\n' <<<"${MAIL_TRUSTED_NETWORKS}" | sed '/^$/d' >"$DKIM_RUN/internal-hosts"

# --- background helpers (Postfix's master, started last, is the container's main process) -----
# syslog to standard output, for OpenDKIM (Postfix writes its own log file).
busybox syslogd -n -O - &
# OpenDKIM, restarted if it ever exits (meanwhile Postfix answers 4xx and the Notifier retries).
(
  while true; do
    # its pid where ops/dkim-rotate finds it, to send SIGUSR1 after a switch
    opendkim -f -x /etc/opendkim.conf &
    echo $! >"$DKIM_RUN/opendkim.pid"
    wait $! || true
    echo "entrypoint.sh: opendkim exited; restarting it in 5 s" >&2
    sleep 5
  done
) &
# Postfix's log to standard output too (docker compose logs mailserver); -F follows rotation.
touch "$MAIL_LOG"
tail -n 0 -F "$MAIL_LOG" 2>/dev/null &
# Rotation by size: `postfix logrotate` renames and gzips the file; Postfix starts a new one.
(
  while sleep 600; do
    if (($(stat -c %s "$MAIL_LOG" 2>/dev/null || echo 0) > MAIL_LOG_ROTATE_MB * 1024 * 1024)); then
      postfix logrotate || true
      # Keep the newest MAIL_LOG_KEEP rotated files (their names sort by date).
      find "$(dirname "$MAIL_LOG")" -maxdepth 1 -name "$(basename "$MAIL_LOG").*" -type f | sort -r |
        tail -n "+$((MAIL_LOG_KEEP + 1))" | xargs -r rm -f --
    fi
  done
) &

postfix check
exec postfix start-fg
