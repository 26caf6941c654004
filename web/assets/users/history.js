// The open account's sessions (Identity) and the emails sent to its address with each one's fate
// (the Notifier's delivery records, asked with the same admin token through the front door).

import { t } from '../i18n.js';
import { $, IDENTITY, NOTIFIER, StatusLine, api, cell, el, enc, formatDate, reportFailure, timeElement } from './page.js';

const sessionsLine = new StatusLine($('sessions-status'));
const emailsLine = new StatusLine($('emails-status'));
const EMAIL_LIMIT = 50;

let sessions = [];
let emails = [];

export async function loadSessions(id) {
  const result = await api('GET', `${IDENTITY}/${id}/sessions`);
  if (result.failed || !result.response.ok || !Array.isArray(result.data)) {
    sessions = [];
    renderSessions();
    reportFailure(result, sessionsLine, 'users.sessions.failed');
    return;
  }
  sessions = result.data;
  renderSessions();
}

export function renderSessions() {
  $('sessions-box').hidden = sessions.length === 0;
  sessionsLine.set(sessions.length === 0 ? { key: 'users.sessions.none' } : null, 'info');
  $('sessions').tBodies[0].replaceChildren(...sessions.map((s) => {
    const row = el('tr');
    row.append(
      cell(s.user_agent ?? t('users.sessions.unknown'), 'user-agent'),
      cell(s.client_address ?? '—', 'nowrap'),
      cell(timeElement(s.last_seen_at), 'nowrap'),
      cell(timeElement(s.created_at), 'nowrap'),
      cell(timeElement(s.expires_at), 'nowrap'),
    );
    return row;
  }));
}

/** The newest emails to exactly this address (the Notifier matches a whole address case-insensitively). */
export async function loadEmails(address) {
  emails = [];
  renderEmails();
  const result = await api('GET', `${NOTIFIER}/deliveries?recipient=${enc(address)}&limit=${EMAIL_LIMIT}`);
  if (result.failed || !result.response.ok || !Array.isArray(result.data?.items)) {
    reportFailure(result, emailsLine, 'users.emails.failed');
    return;
  }
  emails = result.data.items;
  renderEmails();
}

function statusBadge(status) {
  const known = t(`dash.status.${status}`);
  const span = el('span', `status-badge st-${status}`);
  span.append(el('span', 'swatch', ''), known.startsWith('dash.') ? status : known);
  span.dataset.status = status;
  return span;
}

export function renderEmails() {
  $('emails-box').hidden = emails.length === 0;
  emailsLine.set(emails.length === 0 ? { key: 'users.emails.none' } : null, 'info');
  $('emails').tBodies[0].replaceChildren(...emails.map((d) => {
    const row = el('tr');
    row.dataset.id = d.id;
    row.dataset.status = d.status;
    const fate = [d.final_at ? t('users.emails.finalAt', { at: formatDate(d.final_at) }) : null, d.last_error].filter(Boolean);
    row.append(
      cell(timeElement(d.created_at), 'nowrap'),
      cell(d.template),
      cell(statusBadge(d.status), 'nowrap'),
      cell(String(d.attempts), 'num'),
      cell(fate.length > 0 ? fate.join(' · ') : '—', 'reason'),
    );
    return row;
  }));
}
