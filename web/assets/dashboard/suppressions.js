// 7. The suppressed addresses and lifting a suppression.

import { t, lang } from '../i18n.js';
import { $, NOTIFIER, actionButton, api, changed, el, enc, isBusy, keepFocus, setBusy } from './page.js';
import { formatDate, formatNumber } from './format.js';
import { lines, reportFailure } from './messages.js';
import { live } from './state.js';
import { openDetail } from './detail.js';

export async function loadSuppressions() {
  const result = await api('GET', `${NOTIFIER}/suppressions`);
  if (result.failed || !result.response.ok || !Array.isArray(result.data)) {
    reportFailure(result, lines.suppressions, 'dash.supp.failed');
    return;
  }
  if (lines.suppressions.message?.key === 'dash.supp.failed' || lines.suppressions.message?.key === 'status.network') {
    lines.suppressions.set(null);
  }
  live.suppressions = result.data;
}

export function renderSuppressions() {
  if (live.suppressions === null) return;
  if (!changed('suppressions', [lang(), live.suppressions])) return;
  $('suppressions-count').textContent = t('dash.supp.count', { n: formatNumber(live.suppressions.length) });
  const body = $('suppressions').tBodies[0];
  keepFocus(body, () => {
    if (live.suppressions.length === 0) {
      const row = el('tr');
      const cell = el('td', 'is-empty', t('dash.supp.empty'));
      cell.colSpan = 5;
      row.append(cell);
      body.replaceChildren(row);
      return;
    }
    body.replaceChildren(...live.suppressions.map((entry) => {
      const row = el('tr');
      row.dataset.address = entry.address;
      const since = el('td', 'nowrap');
      const sinceTime = el('time', '', formatDate(entry.created_at));
      sinceTime.dateTime = entry.created_at;
      since.append(sinceTime);
      const expires = el('td', 'nowrap');
      const expiresTime = el('time', '', formatDate(entry.expires_at));
      expiresTime.dateTime = entry.expires_at;
      expires.append(expiresTime);
      const actions = el('td');
      const buttons = el('div', 'row-actions');
      if (entry.delivery_id) {
        buttons.append(actionButton('dash.details', 'dash.detailsLabel', { recipient: entry.address },
          `supp-detail:${entry.address}`, (button) => openDetail(entry.delivery_id, button), 'delivery-detail'));
      }
      buttons.append(actionButton('dash.supp.lift', 'dash.supp.liftLabel', { address: entry.address },
        `lift:${entry.address}`, (button) => lift(entry.address, button), 'suppression-lift'));
      actions.append(buttons);
      row.append(el('td', 'address', entry.address), el('td', 'reason', entry.reason), since, expires, actions);
      return row;
    }));
  });
}

async function lift(address, button) {
  if (isBusy(button) || !window.confirm(t('dash.supp.confirm', { address }))) return;
  setBusy(button, true);
  lines.suppressions.set(null);
  const result = await api('DELETE', `${NOTIFIER}/suppressions/${enc(address)}`);
  setBusy(button, false);
  if (result.failed) {
    reportFailure(result, lines.suppressions);
    return;
  }
  if (result.response.ok || result.response.status === 404) {
    // 404: someone else lifted it, or it expired meanwhile; either way it is no longer suppressed.
    lines.suppressions.set({ key: 'dash.supp.lifted', params: { address } }, 'success');
    live.suppressions = (live.suppressions ?? []).filter((entry) => entry.address !== address);
    renderSuppressions();
    // The row and its button are gone: the focus goes to the section, not to the top of the page.
    $('suppressions-heading').focus();
    await loadSuppressions();
    renderSuppressions();
    return;
  }
  reportFailure(result, lines.suppressions);
}
