// 6. The latest failures, the buttons a delivery row carries (details, retry) and the retry.

import { t, lang } from '../i18n.js';
import { $, NOTIFIER, RETRYABLE, actionButton, api, changed, el, enc, isBusy, keepFocus, setBusy } from './page.js';
import { formatDate, statusBadge } from './format.js';
import { lines, reportFailure } from './messages.js';
import { live } from './state.js';
import { refresh } from './refresh.js';
import { openDetail } from './detail.js';
import { classBadge } from './failure-class.js';

export function deliveryActions(delivery, prefix, line) {
  const actions = el('div', 'row-actions');
  actions.append(actionButton('dash.details', 'dash.detailsLabel', { recipient: delivery.recipient },
    `${prefix}detail:${delivery.id}`, (button) => openDetail(delivery.id, button), 'delivery-detail'));
  if (RETRYABLE.has(delivery.status)) {
    actions.append(actionButton('dash.retry', 'dash.retryLabel', { recipient: delivery.recipient },
      `${prefix}retry:${delivery.id}`, (button) => retry(delivery, button, line), 'delivery-retry'));
  }
  return actions;
}

export function renderFailures() {
  const failures = live.dashboard?.latest_failures ?? [];
  if (!changed('failures', [lang(), failures])) return;
  const body = $('failures').tBodies[0];
  keepFocus(body, () => {
    if (failures.length === 0) {
      const row = el('tr');
      const cell = el('td', 'is-empty', t('dash.failures.empty'));
      cell.colSpan = 6;
      row.append(cell);
      body.replaceChildren(row);
      return;
    }
    body.replaceChildren(...failures.map((failure) => {
      const row = el('tr');
      row.dataset.id = failure.id;
      row.dataset.status = failure.status;
      const at = el('td', 'nowrap');
      const time = el('time', '', formatDate(failure.at));
      time.dateTime = failure.at;
      at.append(time);
      const status = el('td', 'nowrap status-cell');
      status.append(statusBadge(failure.status));
      const badge = classBadge(failure.failure_class);
      if (badge) status.append(badge);
      row.append(
        at,
        status,
        el('td', 'address', failure.recipient),
        el('td', '', failure.template),
        el('td', 'reason', failure.reason ?? '—'),
      );
      const actions = el('td');
      actions.append(deliveryActions(failure, 'failure-', lines.failures));
      row.append(actions);
      return row;
    }));
  });
}

export async function retry(delivery, button, line) {
  if (isBusy(button)) return false;
  setBusy(button, true);
  line.set(null);
  const result = await api('POST', `${NOTIFIER}/deliveries/${enc(delivery.id)}/retry`);
  setBusy(button, false);
  if (result.failed || !result.response.ok) {
    reportFailure(result, line);
    return false;
  }
  line.set({ key: 'dash.retried', params: { recipient: delivery.recipient } }, 'success');
  refresh();
  return true;
}
