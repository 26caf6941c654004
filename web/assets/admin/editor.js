// The editor: the subject, HTML and text fields filled from a saved version, what they are based
// on, and saving them as a new version (optionally active at once).

import { t } from '../i18n.js';
import { $, PARTS, api, enc, fields, localeSelect, setBusy } from './page.js';
import { clearFieldErrors, lines, messagesOf, otherProblems, reportFailure, showFieldErrors, showTemplateProblems } from './messages.js';
import { isDirty, readDraft, state } from './state.js';
import { schedulePreview } from './preview.js';
import { refreshTemplate } from './templates.js';
import { loadVersions } from './versions.js';
import { loadAudit } from './audit.js';

const saveButton = $('save');

let saving = false;

/** Puts a saved version (or nothing) in the fields, as what the editor starts from. */
export function fillEditor(version) {
  state.base = version
    ? { version: version.version, active: version.active, subject: version.subject, html: version.html, text: version.text }
    : null;
  for (const part of PARTS) fields[part].value = state.base?.[part] ?? '';
  clearFieldErrors(...PARTS);
  renderBase();
  schedulePreview(0);
}

export function renderBase() {
  const line = $('editor-base');
  if (!state.current) return;
  const base = state.base;
  const parts = [base ? t('admin.base', { version: base.version, active: base.active }) : t('admin.base.none')];
  if (isDirty()) parts.push(t('admin.base.changed'));
  line.textContent = parts.join(' ');
}

export function renderSaveButton() {
  setBusy(saveButton, saving, 'admin.save.submit', 'admin.save.saving');
}

for (const part of PARTS) {
  fields[part].addEventListener('input', () => {
    renderBase();
    schedulePreview();
  });
}

$('save-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (saving || !state.current) return;
  saving = true;
  setBusy(saveButton, true, 'admin.save.submit', 'admin.save.saving');
  lines.save.set(null);
  clearFieldErrors('note');
  const locale = localeSelect.value;
  const note = $('note').value.trim();
  const result = await api('POST', `/templates/${enc(state.current.key)}/versions`, {
    locale,
    ...readDraft(),
    note: note === '' ? null : note,
    activate: $('activate').checked,
  });
  saving = false;
  setBusy(saveButton, false, 'admin.save.submit');
  if (result.failed) {
    reportFailure(result, lines.save);
    return;
  }
  if (result.response.status === 400) {
    const invalid = showTemplateProblems(result.data, '');
    const noteErrors = messagesOf(result.data?.errors?.note);
    showFieldErrors('note', noteErrors.map((text) => ({ text })));
    if (noteErrors.length > 0) invalid.push('note');
    lines.save.set(invalid.length > 0 ? { key: 'admin.save.invalid' } : otherProblems(result.data, []) ?? { key: 'admin.generic' });
    if (invalid.length > 0) $(invalid[0]).focus();
    return;
  }
  if (!result.response.ok || !result.data) {
    reportFailure(result, lines.save);
    return;
  }
  const saved = result.data;
  $('note').value = '';
  $('activate').checked = false;
  state.base = { version: saved.version, active: saved.active, subject: saved.subject, html: saved.html, text: saved.text };
  // The server trims the subject: what was saved is what the editor shows.
  fields.subject.value = saved.subject;
  renderBase();
  lines.save.set({ key: saved.active ? 'admin.save.savedActive' : 'admin.save.saved', params: { version: saved.version } }, 'success');
  await Promise.all([refreshTemplate(), loadVersions(), loadAudit()]);
});
