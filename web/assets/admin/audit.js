// The recent audit log: who changed which template or sender, with the before and after.

import { t } from '../i18n.js';
import { $, api, formatDate } from './page.js';
import { lines, reportFailure } from './messages.js';

let auditItems = [];

export async function loadAudit() {
  const result = await api('GET', '/audit?limit=20');
  if (result.failed || !result.response.ok || !Array.isArray(result.data?.items)) {
    reportFailure(result, lines.audit, 'admin.audit.failed');
    return;
  }
  lines.audit.set(null);
  auditItems = result.data.items;
  renderAudit();
}

export function renderAudit() {
  const list = $('audit');
  if (auditItems.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'is-empty';
    empty.textContent = t('admin.audit.empty');
    list.replaceChildren(empty);
    return;
  }
  list.replaceChildren(...auditItems.map((entry) => {
    const item = document.createElement('li');
    const time = document.createElement('time');
    time.dateTime = entry.at;
    time.textContent = formatDate(entry.at);
    const actor = document.createElement('strong');
    actor.textContent = entry.actor;
    const action = document.createElement('code');
    action.textContent = entry.action;
    const target = document.createElement('span');
    target.className = 'audit-target';
    target.textContent = entry.target;
    const summary = document.createElement('p');
    summary.className = 'audit-line';
    summary.append(time, ' ', actor, ' ', action, ' ', target);
    item.append(summary);
    if (entry.before != null || entry.after != null) {
      const details = document.createElement('details');
      const label = document.createElement('summary');
      label.textContent = t('admin.audit.changes');
      details.append(label);
      for (const [key, value] of [['admin.audit.before', entry.before], ['admin.audit.after', entry.after]]) {
        if (value == null) continue;
        const heading = document.createElement('p');
        heading.className = 'audit-part';
        heading.textContent = t(key);
        const pre = document.createElement('pre');
        pre.textContent = JSON.stringify(value, null, 2);
        details.append(heading, pre);
      }
      item.append(details);
    }
    return item;
  }));
}

$('audit-refresh').addEventListener('click', loadAudit);
