#!/bin/bash
# Starts Postfix in the foreground with the shared configuration from mailserver/postfix/
# plus the container's own settings, taken from the environment (see .env.example).
set -euo pipefail

: "${MAIL_HOSTNAME:=mail.salesmind.test}"
# Networks allowed to hand mail to this server: loopback and the private ranges docker uses.
: "${MAIL_TRUSTED_NETWORKS:=127.0.0.0/8 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16}"
# disabled: nothing leaves the container (default); direct: deliver via DNS MX lookups;
# relay: hand everything to MAIL_RELAYHOST.
: "${MAIL_OUTBOUND:=disabled}"
: "${MAIL_RELAYHOST:=}"
# Delivery reports for the application's messages go to the Notifier's report listener.
: "${BOUNCE_DOMAIN:=bounces.salesmind.test}"
: "${BOUNCE_LISTENER:=[notifier]:2526}"

postconf -e \
  "myhostname=${MAIL_HOSTNAME}" \
  "mynetworks=${MAIL_TRUSTED_NETWORKS}" \
  "inet_interfaces=all" \
  "maillog_file=/dev/stdout" \
  "queue_directory=/var/spool/postfix" \
  "data_directory=/var/lib/postfix" \
  "virtual_mailbox_base=/var/mail"

case "${MAIL_OUTBOUND}" in
  disabled) ;;
  direct)
    postconf -e "default_transport=smtp" "smtp_dns_support_level=enabled" ;;
  relay)
    if [[ -z "${MAIL_RELAYHOST}" ]]; then
      echo "MAIL_OUTBOUND=relay needs MAIL_RELAYHOST (e.g. [smtp.example.com]:587)" >&2
      exit 1
    fi
    postconf -e "default_transport=smtp" "relayhost=${MAIL_RELAYHOST}" \
      "smtp_dns_support_level=enabled" ;;
  *)
    echo "MAIL_OUTBOUND must be disabled, direct or relay (got '${MAIL_OUTBOUND}')" >&2
    exit 1 ;;
esac

# Route the bounce domain to the Notifier (once: the entrypoint may run again on restart).
grep -q "^${BOUNCE_DOMAIN} " /etc/postfix/transport || printf '%s smtp:%s\n' "${BOUNCE_DOMAIN}" "${BOUNCE_LISTENER}" >> /etc/postfix/transport

# The test-domain Maildir is written by the virtual delivery agent as uid/gid 65534.
mkdir -p /var/mail/maildir
chown 65534:65534 /var/mail/maildir

postfix check
exec postfix start-fg
