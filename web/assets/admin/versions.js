// The selected template's versions in the chosen language: which one the editor opens with
// (the active one, else the latest), the version table, viewing one and activating one.

import { t } from '../i18n.js';
import { $, actionButton, api, badge, cell, enc, fields, formatDate, localeSelect } from './page.js';
import { lines, reportFailure } from './messages.js';
import { isDirty, state } from './state.js';
import { fillEditor, renderBase } from './editor.js';
import { refreshTemplate } from './templates.js';
import { loadAudit } from './audit.js';

let versions = [];

/** Loads the versions of the chosen language and opens its active (else latest) version in the editor. */
export async function loadLocale() {
  const locale = localeSelect.value;
  lines.versions.set(null);
  await loadVersions();
  const active = (state.current.active ?? []).find((v) => v.locale === locale);
  if (active) {
    fillEditor(active);
    return;
  }
  const latest = versions[0];
  if (!latest) {
    fillEditor(null);
    return;
  }
  const result = await api('GET', `/templates/${enc(state.current.key)}/versions/${enc(locale)}/${latest.version}`);
  if (result.failed || !result.response.ok) {
    reportFailure(result, lines.versions, 'admin.versions.failed');
    return;
  }
  fillEditor(result.data);
}

let previousLocale = localeSelect.value;
localeSelect.addEventListener('focus', () => {
  previousLocale = localeSelect.value;
});
localeSelect.addEventListener('change', () => {
  if (!state.current) return;
  if (isDirty() && !confirm(t('admin.discard'))) {
    localeSelect.value = previousLocale;
    return;
  }
  previousLocale = localeSelect.value;
  lines.save.set(null);
  loadLocale();
});

export async function loadVersions() {
  if (!state.current) return;
  const locale = localeSelect.value;
  const result = await api('GET', `/templates/${enc(state.current.key)}/versions?locale=${enc(locale)}`);
  if (result.failed || !result.response.ok || !Array.isArray(result.data)) {
    reportFailure(result, lines.versions, 'admin.versions.failed');
    return;
  }
  versions = result.data;
  renderVersions();
}

export function renderVersions() {
  const body = $('versions').tBodies[0];
  if (versions.length === 0) {
    const row = document.createElement('tr');
    const empty = cell(t('admin.versions.none'), 'is-empty');
    empty.colSpan = 6;
    row.append(empty);
    body.replaceChildren(row);
    return;
  }
  body.replaceChildren(...versions.map((version) => {
    const row = document.createElement('tr');
    row.dataset.version = String(version.version);
    row.classList.toggle('is-active', version.active);
    const time = document.createElement('time');
    time.dateTime = version.created_at;
    time.textContent = formatDate(version.created_at);
    const actions = document.createElement('div');
    actions.className = 'row-actions';
    actions.append(actionButton('admin.versions.view', 'admin.versions.viewLabel', { version: version.version }, 'version-view',
      () => viewVersion(version.version)));
    if (!version.active) {
      actions.append(actionButton('admin.versions.activate', 'admin.versions.activateLabel', { version: version.version }, 'version-activate',
        (button) => activateVersion(version.version, button)));
    }
    row.append(
      cell(`v${version.version}`, 'version-number'),
      cell(version.active ? badge(t('admin.versions.active'), 'badge-active') : t('admin.versions.inactive'), 'version-state'),
      cell(version.note ?? '', 'version-note'),
      cell(version.created_by),
      cell(time),
      cell(actions),
    );
    return row;
  }));
}

async function viewVersion(number) {
  if (isDirty() && !confirm(t('admin.discard'))) return;
  const result = await api('GET', `/templates/${enc(state.current.key)}/versions/${enc(localeSelect.value)}/${number}`);
  if (result.failed || !result.response.ok || !result.data) {
    reportFailure(result, lines.versions, 'admin.versions.failed');
    return;
  }
  fillEditor(result.data);
  lines.versions.set({ key: 'admin.versions.loaded', params: { version: number } }, 'success');
  fields.subject.focus();
}

async function activateVersion(number, button) {
  button.disabled = true;
  const result = await api('POST', `/templates/${enc(state.current.key)}/versions/${enc(localeSelect.value)}/${number}/activate`);
  if (result.failed || !result.response.ok) {
    button.disabled = false;
    reportFailure(result, lines.versions);
    return;
  }
  if (state.base) state.base.active = state.base.version === number;
  renderBase();
  lines.versions.set({ key: 'admin.versions.activated', params: { version: number } }, 'success');
  await Promise.all([loadVersions(), refreshTemplate(), loadAudit()]);
  // The pressed button is gone with its row's old state: keep the keyboard user in the table.
  if (!document.activeElement || document.activeElement === document.body) $('versions-heading').focus();
}
