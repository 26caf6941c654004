// A delivery's detail in a dialog: its fields (with the class of its latest failure), its attempts
// and the reports about it (each failure with its class), with a retry when its status allows one.

import { t } from '../i18n.js';
import { $, NOTIFIER, RETRYABLE, api, el, enc, keepFocus } from './page.js';
import { formatDate, formatMs, formatNumber, statusBadge } from './format.js';
import { lines, reportFailure } from './messages.js';
import { retry } from './failures.js';
import { classCell } from './failure-class.js';

const detailDialog = $('detail');
let detail = null; // { id, data } of the delivery shown
let detailOpener = null;

export async function openDetail(id, opener) {
  detailOpener = opener?.dataset.focusKey ?? null;
  detail = { id, data: null };
  lines.detail.set({ key: 'admin.loading' }, 'info');
  $('detail-body').replaceChildren();
  if (!detailDialog.open) detailDialog.showModal();
  await loadDetail();
}

async function loadDetail() {
  const id = detail?.id;
  if (!id) return;
  const result = await api('GET', `${NOTIFIER}/deliveries/${enc(id)}`);
  if (detail?.id !== id) return;
  if (result.failed || !result.response.ok || !result.data) {
    reportFailure(result, lines.detail, 'dash.detail.failed');
    return;
  }
  if (lines.detail.message?.key === 'admin.loading') lines.detail.set(null);
  detail.data = result.data;
  renderDetail();
}

function detailTable(captionKey, columns, rows, emptyKey, className) {
  const section = el('section', 'detail-section');
  const heading = el('h3', '', t(captionKey));
  heading.id = `detail-${className}-heading`;
  section.append(heading);
  if (rows.length === 0) {
    section.append(el('p', 'hint', t(emptyKey)));
    return section;
  }
  const scroll = el('div', 'table-scroll');
  scroll.setAttribute('role', 'region');
  scroll.setAttribute('aria-labelledby', heading.id);
  scroll.tabIndex = 0;
  const table = el('table', `data-table ${className}`);
  const head = el('thead');
  const headRow = el('tr');
  for (const [key, cls] of columns) {
    const th = el('th', cls ?? '', t(key));
    th.scope = 'col';
    headRow.append(th);
  }
  head.append(headRow);
  const body = el('tbody');
  for (const cells of rows) {
    const row = el('tr');
    for (const [content, cls] of cells) {
      const cell = el('td', cls ?? '');
      if (content instanceof Node) cell.append(content);
      else cell.textContent = String(content);
      row.append(cell);
    }
    body.append(row);
  }
  table.append(head, body);
  scroll.append(table);
  section.append(scroll);
  return section;
}

export function renderDetail() {
  const d = detail?.data;
  if (!d) return;
  const summary = el('dl', 'detail-list');
  const fields = [
    ['dash.col.recipient', d.recipient, 'address'],
    ['dash.col.status', null, 'status'],
    ['dash.class.label', null, 'failure-class'],
    ['dash.col.template', `${d.template} (${d.locale})`],
    ['dash.detail.kind', d.kind],
    ['dash.detail.subject', d.subject],
    ['dash.detail.from', d.from ?? '—'],
    ['dash.col.attempts', formatNumber(d.attempts)],
    ['dash.col.lastError', d.last_error ?? '—', 'reason'],
    ['dash.detail.requested', formatDate(d.requested_at)],
    ['dash.detail.sent', formatDate(d.sent_at)],
    ['dash.detail.final', formatDate(d.final_at)],
    ['dash.detail.queueId', d.queue_id ?? '—'],
    ['dash.detail.id', d.id],
  ];
  // The W3C trace context the delivery carries, for finding it in the traces (when the Notifier sends it).
  if (d.trace_parent) fields.push(['dash.detail.trace', d.trace_parent]);
  for (const [key, value, field] of fields) {
    const row = el('div', 'detail-row');
    const data = el('dd', field === 'reason' || field === 'address' ? field : '');
    if (field === 'status') data.append(statusBadge(d.status));
    else if (field === 'failure-class') data.append(classCell(d.failure_class));
    else data.textContent = value;
    if (field) data.dataset.field = field;
    row.append(el('dt', '', t(key)), data);
    summary.append(row);
  }

  const parts = [summary];
  if (RETRYABLE.has(d.status)) {
    const retryButton = el('button', 'btn btn-secondary btn-small delivery-retry', t('dash.retry'));
    retryButton.type = 'button';
    retryButton.dataset.focusKey = 'detail-retry';
    retryButton.setAttribute('aria-label', t('dash.retryLabel', { recipient: d.recipient }));
    retryButton.addEventListener('click', async () => {
      if (await retry(d, retryButton, lines.detail)) {
        await loadDetail();
        $('detail-close').focus();
      }
    });
    const actions = el('div', 'row-actions detail-actions');
    actions.append(retryButton);
    parts.push(actions);
  }

  parts.push(detailTable('dash.detail.attempts', [
    ['dash.detail.number', 'num'], ['dash.detail.started'], ['dash.detail.duration', 'num'],
    ['dash.detail.outcome'], ['dash.detail.code', 'num'], ['dash.class.column'], ['dash.detail.reply'],
  ], (d.attempt_log ?? []).map((a) => [
    [a.number, 'num'], [formatDate(a.started_at), 'nowrap'], [formatMs(a.duration_ms), 'num'],
    [a.outcome], [a.smtp_code ?? '—', 'num'], [classCell(a.failure_class), 'nowrap'], [a.reply ?? '—', 'reason'],
  ]), 'dash.detail.noAttempts', 'attempts'));

  parts.push(detailTable('dash.detail.reports', [
    ['dash.detail.received'], ['dash.detail.source'], ['dash.detail.action'],
    ['dash.detail.reportStatus'], ['dash.class.column'], ['dash.detail.diagnostic'], ['dash.detail.remote'],
  ], (d.reports ?? []).map((r) => [
    [formatDate(r.received_at), 'nowrap'], [r.source], [r.action],
    [r.status ?? '—', 'nowrap'], [classCell(r.failure_class), 'nowrap'], [r.diagnostic ?? '—', 'reason'], [r.remote_mta ?? '—'],
  ]), 'dash.detail.noReports', 'reports'));

  keepFocus($('detail-body'), () => $('detail-body').replaceChildren(...parts));
}

$('detail-close').addEventListener('click', () => detailDialog.close());

detailDialog.addEventListener('close', () => {
  detail = null;
  lines.detail.set(null);
  // The button that opened it may have been redrawn by a refresh meanwhile: find its successor.
  const opener = detailOpener ? document.querySelector(`[data-focus-key="${CSS.escape(detailOpener)}"]`) : null;
  opener?.focus();
});
