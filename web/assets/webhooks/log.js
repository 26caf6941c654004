// The open endpoint's delivery log: each event newest first with its status and every attempt
// (status code or error, duration), a page at a time; a failed one can be sent again.

import { t } from '../i18n.js';
import { $, API, StatusLine, api, badge, cell, el, enc, isBusy, reportFailure, setBusy, timeElement } from './page.js';
import { currentEndpoint } from './endpoint.js';

const PAGE_SIZE = 20;
const log = { items: [], next: null, endpointId: null };
const line = new StatusLine($('log-status'));

export function clearLog() {
  log.items = [];
  log.next = null;
  log.endpointId = null;
  line.set(null);
  $('log-box').hidden = true;
  $('log-more').hidden = true;
  $('log').tBodies[0].replaceChildren();
}

/** Loads the first page (or the next one); `soon` polls a few times while a new event is pending. */
export async function loadLog(more = false, soon = false) {
  const endpoint = currentEndpoint();
  if (!endpoint) return;
  const button = more ? $('log-more') : $('log-refresh');
  if (isBusy(button)) return;
  const offset = more ? log.next : 0;
  setBusy(button, true);
  const result = await api('GET', `${API}/${enc(endpoint.id)}/deliveries?limit=${PAGE_SIZE}&offset=${offset ?? 0}`);
  setBusy(button, false);
  if (currentEndpoint()?.id !== endpoint.id) return;
  if (result.failed || !result.response.ok || !Array.isArray(result.data?.items)) {
    reportFailure(result, line, 'hooks.log.failed');
    return;
  }
  log.endpointId = endpoint.id;
  log.items = more ? [...log.items, ...result.data.items] : result.data.items;
  log.next = result.data.next_offset ?? null;
  renderLog();
  if (soon && log.items.some((d) => d.status === 'pending')) {
    setTimeout(() => loadLog(false, false), 1500);
  }
}

function attemptsList(delivery) {
  if (delivery.attempt_log.length === 0) return document.createTextNode('—');
  const details = el('details', 'hook-attempts');
  details.append(el('summary', '', t('hooks.log.attemptCount', { n: delivery.attempt_log.length })));
  const list = el('ol', 'hook-attempt-list');
  for (const a of delivery.attempt_log) {
    const item = el('li');
    item.value = a.number;
    item.append(timeElement(a.started_at), ' · ',
      el('span', a.error ? 'hook-error' : 'hook-ok', a.error ?? t('hooks.log.http', { code: a.status_code })),
      ' · ', t('hooks.log.ms', { ms: a.duration_ms }));
    list.append(item);
  }
  details.append(list);
  return details;
}

function statusBadge(status) {
  const b = badge(t(`hooks.status.${status}`), `hook-status hook-status-${status}`);
  b.dataset.status = status;
  return b;
}

export function renderLog() {
  if (!log.endpointId) return;
  $('log-box').hidden = log.items.length === 0;
  $('log-more').hidden = log.next === null;
  line.set(log.items.length === 0 ? { key: 'hooks.log.empty' } : null, 'info');
  $('log').tBodies[0].replaceChildren(...log.items.map((delivery) => {
    const row = el('tr');
    row.dataset.id = delivery.id;
    row.dataset.status = delivery.status;
    row.dataset.type = delivery.event_type;
    const result = el('td', 'hook-result');
    result.append(delivery.last_error
      ? el('span', 'hook-error', delivery.last_error)
      : el('span', '', delivery.last_status_code ? t('hooks.log.http', { code: delivery.last_status_code }) : '—'));
    if (delivery.status === 'pending' && delivery.attempts > 0) {
      result.append(el('span', 'hint hook-next', t('hooks.log.next', { at: new Date(delivery.next_attempt_at).toLocaleTimeString() })));
    }
    if (delivery.status === 'failed') {
      const retry = el('button', 'btn btn-secondary btn-small hook-retry', t('hooks.log.retry'));
      retry.type = 'button';
      retry.addEventListener('click', () => retryDelivery(retry, delivery));
      result.append(retry);
    }
    row.append(cell(timeElement(delivery.created_at), 'nowrap'), cell(el('code', '', delivery.event_type)), cell(statusBadge(delivery.status)),
      cell(attemptsList(delivery)), result);
    return row;
  }));
}

async function retryDelivery(button, delivery) {
  const endpoint = currentEndpoint();
  if (!endpoint || isBusy(button)) return;
  setBusy(button, true);
  const result = await api('POST', `${API}/${enc(endpoint.id)}/deliveries/${enc(delivery.id)}/retry`);
  setBusy(button, false);
  if (result.failed || !result.response.ok) {
    reportFailure(result, line);
    return;
  }
  line.set({ key: 'hooks.log.retried' }, 'success');
  loadLog(false, true);
}

$('log-refresh').addEventListener('click', () => loadLog(false));
$('log-more').addEventListener('click', () => loadLog(true));
