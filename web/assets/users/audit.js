// The audit of account changes: who, when, what, and the changed fields before and after; for the
// open account and for all accounts (newest first, a page at a time).

import { t } from '../i18n.js';
import { $, IDENTITY, StatusLine, api, cell, el, formatDate, isBusy, reportFailure, setBusy, timeElement } from './page.js';

const PAGE_SIZE = 25;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const accountLine = new StatusLine($('user-audit-status'));
const allLine = new StatusLine($('audit-status'));

const accountAudit = { entries: [] };
const allAudit = { entries: [], next: null, loaded: false };

export async function loadAccountAudit(id) {
  const result = await api('GET', `${IDENTITY}/${id}/audit?limit=100`);
  if (result.failed || !result.response.ok || !Array.isArray(result.data?.entries)) {
    reportFailure(result, accountLine, 'users.audit.failed');
    return;
  }
  accountAudit.entries = result.data.entries;
  renderAccountAudit();
}

export async function loadAudit(more = false) {
  const button = more ? $('audit-more') : $('audit-refresh');
  if (isBusy(button)) return;
  setBusy(button, true);
  const after = more && allAudit.next ? `&after=${allAudit.next}` : '';
  const result = await api('GET', `${IDENTITY}/audit?limit=${PAGE_SIZE}${after}`);
  setBusy(button, false);
  if (result.failed || !result.response.ok || !Array.isArray(result.data?.entries)) {
    reportFailure(result, allLine, 'users.audit.failed');
    return;
  }
  allAudit.entries = more ? [...allAudit.entries, ...result.data.entries] : result.data.entries;
  allAudit.next = result.data.next ?? null;
  allAudit.loaded = true;
  renderAudit();
}

/** `{"roles":["admin"]}` as "roles: admin"; null and empty values as —. */
function fields(value) {
  if (!value || typeof value !== 'object') return '—';
  const parts = Object.entries(value).map(([name, v]) => {
    let shown = Array.isArray(v) ? (v.length ? v.join(', ') : '—') : v === null || v === '' ? '—' : String(v);
    if (typeof v === 'string' && ISO_TIME.test(v)) shown = formatDate(v);
    return `${name}: ${shown}`;
  });
  return parts.length ? parts.join('; ') : '—';
}

function actionName(action) {
  const key = `users.audit.action.${action}`;
  const text = t(key);
  return text === key ? action : text;
}

function table(element, entries, withTarget) {
  const head = el('thead');
  const headRow = el('tr');
  const columns = ['users.audit.at', 'users.audit.actor', ...(withTarget ? ['users.audit.target'] : []), 'users.audit.action', 'users.audit.before', 'users.audit.after'];
  headRow.append(...columns.map((key) => {
    const th = el('th', '', t(key));
    th.scope = 'col';
    return th;
  }));
  head.append(headRow);
  const body = el('tbody');
  body.append(...entries.map((entry) => {
    const row = el('tr');
    row.dataset.action = entry.action;
    row.append(
      cell(timeElement(entry.at), 'nowrap'),
      cell(entry.actor_name),
      ...(withTarget ? [cell(entry.target_username ?? t('users.audit.gone'))] : []),
      cell(actionName(entry.action), 'nowrap'),
      cell(fields(entry.before), 'audit-fields'),
      cell(fields(entry.after), 'audit-fields'),
    );
    return row;
  }));
  element.replaceChildren(head, body);
}

export function renderAccountAudit() {
  $('user-audit-box').hidden = accountAudit.entries.length === 0;
  accountLine.set(accountAudit.entries.length === 0 ? { key: 'users.audit.none' } : null, 'info');
  table($('user-audit'), accountAudit.entries, false);
}

export function renderAudit() {
  if (!allAudit.loaded) return;
  $('audit-box').hidden = allAudit.entries.length === 0;
  $('audit-more').hidden = !allAudit.next;
  allLine.set(allAudit.entries.length === 0 ? { key: 'users.audit.none' } : null, 'info');
  table($('audit'), allAudit.entries, true);
}

$('audit-refresh').addEventListener('click', () => loadAudit(false));
$('audit-more').addEventListener('click', () => loadAudit(true));
