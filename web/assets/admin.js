// The email-template admin page: templates and their versions with a live preview, test sends,
// sender addresses and the recent audit log, over the Notifier's admin API.
//
// The Notifier takes no cookie, only a bearer token: the page trades the Identity session for a
// short-lived admin token (POST /api/auth/token/), renews it a minute before it runs out, and asks
// for a new one once if a call still meets a 401. The token lives in this module only, never in
// storage, so it goes with the tab.

import { t, lang, onLangChange } from './i18n.js';
import { ME_URL, getJson } from './api.js';
import { AccessLost, adminCall, forgetToken, renewToken, whenAccessLost } from './admin-session.js';
import { emailErrors } from './validation.js';

const ADMIN_API = '/notifier/api/admin';
const LOGIN_PAGE = `/login.html?next=${encodeURIComponent('/admin.html')}`;

const PREVIEW_DELAY_MS = 400;
const POLL_INTERVAL_MS = 1000;
const POLL_LIMIT_MS = 120_000;
// The mail server accepting it ('sent') is enough for a test send; its later fate shows too.
const FINAL_STATUSES = ['sent', 'delivered', 'bounced', 'failed', 'abandoned', 'suppressed'];
const PARTS = ['subject', 'html', 'text'];

const $ = (id) => document.getElementById(id);

const fields = Object.fromEntries(PARTS.map((part) => [part, $(part)]));
const localeSelect = $('locale');
const senderSelect = $('template-sender');
const previewPanel = $('preview');
const previewFrame = $('preview-html');
const saveButton = $('save');

// ---------------------------------------------------------------- status lines

/** A line of feedback that keeps its message (a key and params, or a server's text) across language switches. */
class StatusLine {
  static all = [];

  constructor(element) {
    this.element = element;
    this.message = null;
    StatusLine.all.push(this);
  }

  set(message, kind = 'error') {
    this.message = message ? { ...message, kind } : null;
    this.render();
  }

  render() {
    const m = this.message;
    this.element.textContent = m ? (m.text ?? t(m.key, m.params)) : '';
    for (const kind of ['error', 'info', 'success']) this.element.classList.toggle(`is-${kind}`, m?.kind === kind);
  }
}

const lines = {
  templates: new StatusLine($('templates-status')),
  templateSender: new StatusLine($('template-sender-status')),
  preview: new StatusLine($('preview-state')),
  save: new StatusLine($('save-status')),
  versions: new StatusLine($('versions-status')),
  senders: new StatusLine($('senders-status')),
  senderForm: new StatusLine($('sender-form-status')),
  audit: new StatusLine($('audit-status')),
};

/** Field errors as { key, params } or { text }, with where to jump for a located template problem. */
const fieldErrors = new Map();

function showFieldErrors(id, errors) {
  const input = $(id);
  const box = $(`${id}-error`);
  fieldErrors.set(id, errors);
  box.replaceChildren(...errors.map((error) => {
    const line = document.createElement('p');
    const text = document.createElement('span');
    text.append(error.text ?? t(error.key, error.params));
    line.append(text);
    if (error.at) {
      const jump = document.createElement('button');
      jump.type = 'button';
      jump.className = 'link-button problem-jump';
      jump.textContent = t('admin.problem.goto');
      jump.setAttribute('aria-label', t('admin.problem.gotoLabel', error.at));
      jump.addEventListener('click', () => moveCursor(input, error.at.line, error.at.column));
      text.append(' ', jump);
    }
    return line;
  }));
  if (errors.length > 0) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function clearFieldErrors(...ids) {
  for (const id of ids) showFieldErrors(id, []);
}

/** Puts the cursor at a 1-based line and column of a field, where a template problem is. */
function moveCursor(input, line, column) {
  const rows = input.value.split('\n');
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, rows.length - 1); i++) offset += rows[i].length + 1;
  offset += Math.max(0, column - 1);
  input.focus();
  input.setSelectionRange(offset, offset);
}

/**
 * Shows a 400's problems under the template fields. `prefix` is how the API names the parts:
 * "draft." for a preview or test send, nothing for a saved version. Returns the fields with problems.
 */
function showTemplateProblems(problem, prefix) {
  const invalid = [];
  for (const part of PARTS) {
    const located = (problem?.template_problems ?? []).filter((p) => p.part === prefix + part);
    const errors = located.length > 0
      ? located.map((p) => ({
        key: 'admin.problemAt',
        params: { line: p.line, column: p.column, message: p.message },
        at: { line: p.line, column: p.column },
      }))
      : messagesOf(problem?.errors?.[prefix + part]).map((text) => ({ text }));
    showFieldErrors(part, errors);
    if (errors.length > 0) invalid.push(part);
  }
  return invalid;
}

function messagesOf(value) {
  return (Array.isArray(value) ? value : value ? [value] : []).filter((m) => typeof m === 'string');
}

/** The messages of a problem that belong to none of `known` fields (or its detail), as one text. */
function otherProblems(problem, known) {
  const texts = Object.entries(problem?.errors ?? {})
    .filter(([name]) => !known.includes(name))
    .flatMap(([, messages]) => messagesOf(messages));
  if (texts.length === 0 && typeof problem?.detail === 'string') texts.push(problem.detail);
  return texts.length > 0 ? { text: texts.join(' ') } : null;
}

function setBusy(button, busy, idleKey, busyKey = idleKey) {
  button.disabled = busy;
  button.setAttribute('aria-busy', String(busy));
  button.textContent = t(busy ? busyKey : idleKey);
}

// ---------------------------------------------------------------- token and API calls

/** A call to the Notifier's admin API (see admin-session.js for what it resolves to). */
function api(method, path, body) {
  return adminCall(method, ADMIN_API + path, body);
}

/** Says why a call failed on `line` (nothing for 'access': the page has been replaced). */
function reportFailure(result, line, fallbackKey = 'admin.generic') {
  if (result.failed === 'access') return;
  if (result.failed === 'network') {
    line.set({ key: 'status.network' });
    return;
  }
  line.set(otherProblems(result.data, []) ?? { key: fallbackKey });
}

const enc = encodeURIComponent;

// ---------------------------------------------------------------- access

function showAccess(state) {
  $('admin-loading').hidden = state !== 'loading';
  $('access-signed-out').hidden = state !== 'signedOut';
  $('access-forbidden').hidden = state !== 'forbidden';
  $('access-error').hidden = state !== 'error';
  $('admin-app').hidden = state !== 'ready';
}

function accessFailed(error) {
  forgetToken();
  clearTimeout(previewTimer);
  clearTimeout(pollTimer);
  showAccess(error instanceof AccessLost ? error.reason : 'error');
}

whenAccessLost(accessFailed);

let signedInAs = null;

function renderSignedIn() {
  const line = $('admin-signed-in');
  line.hidden = !signedInAs;
  line.textContent = signedInAs ? t('admin.signedInAs', { username: signedInAs }) : '';
}

async function start() {
  showAccess('loading');
  try {
    await renewToken();
  } catch (error) {
    accessFailed(error);
    return;
  }
  showAccess('ready');
  getJson(ME_URL).then(({ response, data }) => {
    if (response.ok && typeof data?.username === 'string') {
      signedInAs = data.username;
      renderSignedIn();
    }
  }).catch(() => {});
  await Promise.all([loadTemplates(), loadSenders(), loadAudit()]);
}

// ---------------------------------------------------------------- templates

let templates = [];
let current = null; // the selected template's detail

async function loadTemplates() {
  const result = await api('GET', '/templates');
  if (result.failed || !result.response.ok || !Array.isArray(result.data)) {
    reportFailure(result, lines.templates, 'admin.templates.failed');
    return;
  }
  lines.templates.set(null);
  templates = result.data;
  renderTemplates();
}

function renderTemplates() {
  $('templates').replaceChildren(...templates.map((template) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'template-pick';
    button.dataset.key = template.key;
    button.setAttribute('aria-current', String(template.key === current?.key));

    const title = document.createElement('span');
    title.className = 'template-title';
    const key = document.createElement('span');
    key.className = 'template-key';
    key.textContent = template.key;
    title.append(key, ' ', badge(t(template.built_in ? 'admin.builtIn' : 'admin.custom'), template.built_in ? '' : 'badge-custom'));

    const description = document.createElement('span');
    description.className = 'template-description';
    description.textContent = template.description;

    const locales = document.createElement('span');
    locales.className = 'template-locales';
    locales.textContent = (template.locales ?? [])
      .map((l) => t('admin.localeSummary', { locale: l.locale, active: l.active_version, latest: l.latest_version }))
      .join(' · ');

    button.append(title, description, locales);
    button.addEventListener('click', () => selectTemplate(template.key));
    item.append(button);
    return item;
  }));
}

function badge(text, extra = '') {
  const span = document.createElement('span');
  span.className = `badge ${extra}`.trim();
  span.textContent = text;
  return span;
}

async function selectTemplate(key) {
  if (isDirty() && !confirm(t('admin.discard'))) return;
  const result = await api('GET', `/templates/${enc(key)}`);
  if (result.failed || !result.response.ok || !result.data) {
    reportFailure(result, lines.templates, 'admin.templates.failed');
    return;
  }
  lines.templates.set(null);
  current = result.data;
  const available = (current.locales ?? []).map((l) => l.locale);
  if (!available.includes(localeSelect.value) && available.length > 0) localeSelect.value = available[0];
  $('editor').hidden = false;
  renderTemplates();
  renderTemplateHeader();
  renderVariables();
  renderSenderChoice();
  lines.templateSender.set(null);
  lines.save.set(null);
  await loadLocale();
  $('editor-heading').focus();
}

function renderTemplateHeader() {
  if (!current) return;
  $('editor-heading').textContent = current.key;
  const kind = $('editor-kind');
  kind.textContent = t(current.built_in ? 'admin.builtIn' : 'admin.custom');
  kind.classList.toggle('badge-custom', !current.built_in);
  $('editor-description').textContent = current.description;
}

// ---------------------------------------------------------------- variables

let lastField = fields.html; // where a variable goes: the field edited last

function renderVariables() {
  $('variables').replaceChildren(...(current?.variables ?? []).map((variable) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'variable-insert';
    button.dataset.name = variable.name;
    button.textContent = `@Model.${variable.name}`;
    button.setAttribute('aria-label', t('admin.variables.insert', { name: variable.name }));
    button.addEventListener('click', () => insertVariable(variable.name));
    const description = document.createElement('span');
    description.className = 'variable-description';
    description.textContent = variable.description;
    const sample = document.createElement('span');
    sample.className = 'variable-sample';
    sample.textContent = t('admin.variables.sample', { sample: variable.sample });
    item.append(button, description, sample);
    return item;
  }));
}

const WORD_CHARACTER = /[\p{L}\p{Nd}_]/u;

function insertVariable(name) {
  const field = lastField;
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? start;
  // Glued to a word, "@Model.X" would read as an email address (before) or a longer name (after):
  // the parenthesised form prints the same and stays unambiguous.
  const glued = WORD_CHARACTER.test(field.value.charAt(start - 1)) || WORD_CHARACTER.test(field.value.charAt(end));
  field.setRangeText(glued ? `@(Model.${name})` : `@Model.${name}`, start, end, 'end');
  field.focus();
  field.dispatchEvent(new Event('input', { bubbles: true }));
}

// ---------------------------------------------------------------- editor

let base = null; // the saved version the editor started from: { version, active, subject, html, text }
let versions = [];

function isDirty() {
  if (!current) return false;
  return PARTS.some((part) => fields[part].value !== (base?.[part] ?? ''));
}

function fillEditor(version) {
  base = version
    ? { version: version.version, active: version.active, subject: version.subject, html: version.html, text: version.text }
    : null;
  for (const part of PARTS) fields[part].value = base?.[part] ?? '';
  clearFieldErrors(...PARTS);
  renderBase();
  schedulePreview(0);
}

function renderBase() {
  const line = $('editor-base');
  if (!current) return;
  const parts = [base ? t('admin.base', { version: base.version, active: base.active }) : t('admin.base.none')];
  if (isDirty()) parts.push(t('admin.base.changed'));
  line.textContent = parts.join(' ');
}

async function loadLocale() {
  const locale = localeSelect.value;
  lines.versions.set(null);
  await loadVersions();
  const active = (current.active ?? []).find((v) => v.locale === locale);
  if (active) {
    fillEditor(active);
    return;
  }
  const latest = versions[0];
  if (!latest) {
    fillEditor(null);
    return;
  }
  const result = await api('GET', `/templates/${enc(current.key)}/versions/${enc(locale)}/${latest.version}`);
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
  if (!current) return;
  if (isDirty() && !confirm(t('admin.discard'))) {
    localeSelect.value = previousLocale;
    return;
  }
  previousLocale = localeSelect.value;
  lines.save.set(null);
  loadLocale();
});

for (const part of PARTS) {
  fields[part].addEventListener('focus', () => {
    lastField = fields[part];
  });
  fields[part].addEventListener('input', () => {
    lastField = fields[part];
    renderBase();
    schedulePreview();
  });
}

// ---------------------------------------------------------------- live preview

let previewTimer = null;
let previewSequence = 0;

function readDraft() {
  return Object.fromEntries(PARTS.map((part) => [part, fields[part].value]));
}

function schedulePreview(delay = PREVIEW_DELAY_MS) {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(runPreview, delay);
}

async function runPreview() {
  if (!current) return;
  // Answers can overtake each other: only the one for the latest edit is shown.
  const sequence = ++previewSequence;
  const draft = readDraft();
  if (PARTS.every((part) => draft[part].trim() === '')) {
    showPreview(null);
    lines.preview.set({ key: 'admin.preview.empty' }, 'info');
    return;
  }
  previewPanel.setAttribute('aria-busy', 'true');
  const result = await api('POST', `/templates/${enc(current.key)}/preview`, { locale: localeSelect.value, draft });
  if (sequence !== previewSequence) return;
  previewPanel.setAttribute('aria-busy', 'false');
  if (result.failed === 'access') return;
  if (!result.failed && result.response.ok && result.data) {
    clearFieldErrors(...PARTS);
    showPreview(result.data);
    lines.preview.set(null);
    return;
  }
  // Kept on screen but marked: the last good rendering, no longer what the fields say.
  previewPanel.dataset.state = 'stale';
  if (!result.failed && result.response.status === 400 && showTemplateProblems(result.data, 'draft.').length > 0) {
    lines.preview.set({ key: 'admin.preview.stale' });
  } else if (result.failed) {
    lines.preview.set({ key: 'status.network' });
  } else {
    lines.preview.set(otherProblems(result.data, []) ?? { key: 'admin.preview.failed' });
  }
}

function showPreview(rendering) {
  previewPanel.dataset.state = rendering ? 'fresh' : 'empty';
  const from = rendering?.from;
  let fromText = '';
  if (from) {
    fromText = from.display_name ? `${from.display_name} <${from.address}>` : from.address;
    if (from.reply_to) fromText += ` (Reply-To: ${from.reply_to})`;
  }
  $('preview-from').textContent = fromText;
  $('preview-subject').textContent = rendering?.subject ?? '';
  previewFrame.srcdoc = rendering?.html ?? '';
  $('preview-text').textContent = rendering?.text ?? '';
}

// ---------------------------------------------------------------- save a version

let saving = false;

$('save-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (saving || !current) return;
  saving = true;
  setBusy(saveButton, true, 'admin.save.submit', 'admin.save.saving');
  lines.save.set(null);
  clearFieldErrors('note');
  const locale = localeSelect.value;
  const note = $('note').value.trim();
  const result = await api('POST', `/templates/${enc(current.key)}/versions`, {
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
  base = { version: saved.version, active: saved.active, subject: saved.subject, html: saved.html, text: saved.text };
  // The server trims the subject: what was saved is what the editor shows.
  fields.subject.value = saved.subject;
  renderBase();
  lines.save.set({ key: saved.active ? 'admin.save.savedActive' : 'admin.save.saved', params: { version: saved.version } }, 'success');
  await Promise.all([refreshTemplate(), loadVersions(), loadAudit()]);
});

/** Re-reads the selected template (active versions, locale summary) and the list beside it. */
async function refreshTemplate() {
  const result = await api('GET', `/templates/${enc(current.key)}`);
  if (!result.failed && result.response.ok && result.data) {
    current = result.data;
    renderTemplateHeader();
    renderSenderChoice();
  }
  await loadTemplates();
}

// ---------------------------------------------------------------- versions

async function loadVersions() {
  if (!current) return;
  const locale = localeSelect.value;
  const result = await api('GET', `/templates/${enc(current.key)}/versions?locale=${enc(locale)}`);
  if (result.failed || !result.response.ok || !Array.isArray(result.data)) {
    reportFailure(result, lines.versions, 'admin.versions.failed');
    return;
  }
  versions = result.data;
  renderVersions();
}

function formatDate(value) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(lang() === 'ja' ? 'ja-JP' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

function cell(content, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  td.append(content ?? '');
  return td;
}

function actionButton(textKey, labelKey, params, className, onClick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `btn btn-secondary btn-small ${className}`;
  button.textContent = t(textKey);
  button.setAttribute('aria-label', t(labelKey, params));
  button.addEventListener('click', () => onClick(button));
  return button;
}

function renderVersions() {
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
  const result = await api('GET', `/templates/${enc(current.key)}/versions/${enc(localeSelect.value)}/${number}`);
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
  const result = await api('POST', `/templates/${enc(current.key)}/versions/${enc(localeSelect.value)}/${number}/activate`);
  if (result.failed || !result.response.ok) {
    button.disabled = false;
    reportFailure(result, lines.versions);
    return;
  }
  if (base) base.active = base.version === number;
  renderBase();
  lines.versions.set({ key: 'admin.versions.activated', params: { version: number } }, 'success');
  await Promise.all([loadVersions(), refreshTemplate(), loadAudit()]);
  // The pressed button is gone with its row's old state: keep the keyboard user in the table.
  if (!document.activeElement || document.activeElement === document.body) $('versions-heading').focus();
}

// ---------------------------------------------------------------- test send

let pollTimer = null;
let testDelivery = null; // { id, status, detail, startedAt }

$('test-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!current) return;
  const input = $('test-to');
  const to = input.value.trim();
  const problems = emailErrors(to);
  if (problems.length > 0) {
    showFieldErrors('test-to', [{ key: problems[0] }]);
    input.focus();
    return;
  }
  clearFieldErrors('test-to');
  const button = $('test-send');
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  // A saved version goes by its number, so the delivery records which version it was.
  const what = base && !isDirty() ? { version: base.version } : { draft: readDraft() };
  const result = await api('POST', `/templates/${enc(current.key)}/test-send`, { to, locale: localeSelect.value, ...what });
  button.disabled = false;
  button.setAttribute('aria-busy', 'false');
  if (result.failed) {
    showFieldErrors('test-to', result.failed === 'network' ? [{ key: 'status.network' }] : []);
    return;
  }
  if (result.response.status === 400) {
    const toErrors = messagesOf(result.data?.errors?.to);
    if (toErrors.length > 0) {
      showFieldErrors('test-to', toErrors.map((text) => ({ text })));
      input.focus();
      return;
    }
    if (showTemplateProblems(result.data, 'draft.').length > 0) {
      lines.preview.set({ key: 'admin.preview.stale' });
      return;
    }
  }
  if (!result.response.ok || typeof result.data?.delivery_id !== 'string') {
    const other = otherProblems(result.data, []);
    showFieldErrors('test-to', [other ?? { key: 'admin.generic' }]);
    return;
  }
  clearTimeout(pollTimer);
  testDelivery = { id: result.data.delivery_id, status: result.data.status ?? 'queued', detail: null, startedAt: Date.now() };
  renderTestDelivery();
  pollTimer = setTimeout(pollDelivery, POLL_INTERVAL_MS);
  loadAudit();
});

async function pollDelivery() {
  const delivery = testDelivery;
  if (!delivery) return;
  // The id comes from the response body: the status_url the API gives is relative to the
  // template it was sent from, not to the admin API's root.
  const result = await api('GET', `/deliveries/${enc(delivery.id)}`);
  if (delivery !== testDelivery) return;
  if (!result.failed && result.response.ok && result.data) {
    delivery.status = result.data.status;
    delivery.detail = result.data.last_error ?? null;
    renderTestDelivery();
  }
  if (FINAL_STATUSES.includes(delivery.status) || result.failed === 'access') return;
  if (Date.now() - delivery.startedAt > POLL_LIMIT_MS) {
    delivery.timedOut = true;
    renderTestDelivery();
    return;
  }
  pollTimer = setTimeout(pollDelivery, POLL_INTERVAL_MS);
}

function renderTestDelivery() {
  const delivery = testDelivery;
  $('test-result').hidden = !delivery;
  if (!delivery) return;
  $('test-delivery').textContent = delivery.id;
  const status = $('test-status');
  status.dataset.status = delivery.status;
  const label = t(`admin.delivery.${delivery.status}`);
  status.textContent = label.startsWith('admin.') ? delivery.status : label;
  status.classList.toggle('is-error', ['failed', 'abandoned', 'bounced', 'suppressed'].includes(delivery.status));
  status.classList.toggle('is-success', ['sent', 'delivered'].includes(delivery.status));
  $('test-detail').textContent = delivery.timedOut ? t('admin.test.timeout') : (delivery.detail ?? '');
}

// ---------------------------------------------------------------- senders

let senders = [];

async function loadSenders() {
  const result = await api('GET', '/senders');
  if (result.failed || !result.response.ok || !Array.isArray(result.data)) {
    reportFailure(result, lines.senders, 'admin.senders.failed');
    return;
  }
  senders = result.data;
  renderSenders();
  renderSenderChoice();
}

function senderLabel(sender) {
  return sender.display_name ? `${sender.display_name} <${sender.address}>` : sender.address;
}

function renderSenders() {
  $('senders').tBodies[0].replaceChildren(...senders.map((sender) => {
    const row = document.createElement('tr');
    row.dataset.id = sender.id;
    row.dataset.address = sender.address;
    const who = document.createElement('div');
    const name = document.createElement('span');
    name.className = 'sender-name';
    name.textContent = sender.display_name;
    const address = document.createElement('span');
    address.className = 'sender-address email-address';
    address.textContent = sender.address;
    who.append(name, ' ', address);
    if (sender.is_default) who.append(' ', badge(t('admin.senders.default'), 'badge-active'));
    const actions = document.createElement('div');
    actions.className = 'row-actions';
    if (!sender.is_default) {
      const params = { address: sender.address };
      actions.append(
        actionButton('admin.senders.makeDefault', 'admin.senders.makeDefaultLabel', params, 'sender-default', (b) => makeDefault(sender, b)),
        actionButton('admin.senders.delete', 'admin.senders.deleteLabel', params, 'sender-delete', (b) => deleteSender(sender, b)),
      );
    }
    const usedBy = sender.used_by?.length ? sender.used_by.join(', ') : t('admin.senders.none');
    row.append(cell(who), cell(sender.reply_to ?? '—', 'email-address'), cell(usedBy), cell(actions));
    return row;
  }));
}

function renderSenderChoice() {
  if (!current) return;
  const fallback = senders.find((s) => s.is_default);
  const options = [new Option(t('admin.templateSender.default', { address: fallback ? senderLabel(fallback) : '—' }), '')];
  for (const sender of senders) options.push(new Option(senderLabel(sender), sender.id));
  senderSelect.replaceChildren(...options);
  senderSelect.value = current.sender_id ?? '';
}

$('template-sender-save').addEventListener('click', async () => {
  if (!current) return;
  const button = $('template-sender-save');
  button.disabled = true;
  lines.templateSender.set(null);
  // PUT replaces both fields: the description goes back as it is.
  const result = await api('PUT', `/templates/${enc(current.key)}`, {
    description: current.description,
    sender_id: senderSelect.value === '' ? null : senderSelect.value,
  });
  button.disabled = false;
  if (result.failed || !result.response.ok || !result.data) {
    reportFailure(result, lines.templateSender);
    return;
  }
  current = result.data;
  lines.templateSender.set({ key: 'admin.templateSender.saved' }, 'success');
  await Promise.all([loadSenders(), loadTemplates(), loadAudit()]);
  schedulePreview(0); // the From line changed
});

async function makeDefault(sender, button) {
  lines.senders.set(null);
  lines.senderForm.set(null);
  button.disabled = true;
  const result = await api('POST', `/senders/${enc(sender.id)}/default`);
  if (result.failed || !result.response.ok) {
    button.disabled = false;
    reportFailure(result, lines.senders);
    return;
  }
  lines.senders.set({ key: 'admin.senders.madeDefault', params: { address: sender.address } }, 'success');
  await Promise.all([loadSenders(), loadAudit()]);
  $('senders-heading').focus();
  if (current) schedulePreview(0);
}

async function deleteSender(sender, button) {
  if (!confirm(t('admin.senders.confirmDelete', { address: sender.address }))) return;
  lines.senders.set(null);
  lines.senderForm.set(null);
  button.disabled = true;
  const result = await api('DELETE', `/senders/${enc(sender.id)}`);
  if (result.failed || !result.response.ok) {
    button.disabled = false;
    // A 409 says why (the default, or templates still send from it) in its detail.
    reportFailure(result, lines.senders);
    return;
  }
  lines.senders.set({ key: 'admin.senders.deleted', params: { address: sender.address } }, 'success');
  await Promise.all([loadSenders(), loadAudit()]);
  $('senders-heading').focus();
}

const senderFields = { address: 'sender-address', display_name: 'sender-name', reply_to: 'sender-reply-to' };

$('sender-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const address = $('sender-address').value.trim();
  const replyTo = $('sender-reply-to').value.trim();
  const displayName = $('sender-name').value.trim();
  const local = {
    'sender-address': emailErrors(address).map((key) => ({ key })),
    'sender-name': displayName === '' ? [{ key: 'admin.senders.nameRequired' }] : [],
    'sender-reply-to': replyTo === '' ? [] : emailErrors(replyTo).map((key) => ({ key })),
  };
  for (const [id, errors] of Object.entries(local)) showFieldErrors(id, errors);
  const firstInvalid = Object.keys(local).find((id) => local[id].length > 0);
  if (firstInvalid) {
    lines.senderForm.set({ key: 'admin.senders.fix' });
    $(firstInvalid).focus();
    return;
  }
  lines.senderForm.set(null);
  lines.senders.set(null);
  const button = $('sender-add');
  button.disabled = true;
  const result = await api('POST', '/senders', {
    address,
    display_name: displayName,
    reply_to: replyTo === '' ? null : replyTo,
    is_default: $('sender-default').checked,
  });
  button.disabled = false;
  if (result.failed) {
    reportFailure(result, lines.senderForm);
    return;
  }
  if (result.response.status === 400 && result.data?.errors) {
    let first = null;
    for (const [name, id] of Object.entries(senderFields)) {
      const messages = messagesOf(result.data.errors[name]);
      showFieldErrors(id, messages.map((text) => ({ text })));
      if (messages.length > 0) first ??= id;
    }
    lines.senderForm.set(otherProblems(result.data, Object.keys(senderFields)) ?? { key: 'admin.senders.fix' });
    if (first) $(first).focus();
    return;
  }
  if (!result.response.ok) {
    reportFailure(result, lines.senderForm);
    return;
  }
  event.target.reset();
  lines.senderForm.set({ key: 'admin.senders.added', params: { address } }, 'success');
  await Promise.all([loadSenders(), loadAudit()]);
  if (current) schedulePreview(0);
});

// ---------------------------------------------------------------- audit

let auditItems = [];

async function loadAudit() {
  const result = await api('GET', '/audit?limit=20');
  if (result.failed || !result.response.ok || !Array.isArray(result.data?.items)) {
    reportFailure(result, lines.audit, 'admin.audit.failed');
    return;
  }
  lines.audit.set(null);
  auditItems = result.data.items;
  renderAudit();
}

function renderAudit() {
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

// ---------------------------------------------------------------- language switch

function translateAttributes() {
  previewFrame.title = t('admin.preview.frameTitle');
  $('access-login').href = LOGIN_PAGE;
}

onLangChange(() => {
  translateAttributes();
  for (const line of StatusLine.all) line.render();
  for (const [id, errors] of fieldErrors) showFieldErrors(id, errors);
  renderSignedIn();
  renderTemplates();
  renderTemplateHeader();
  renderVariables();
  renderSenderChoice();
  renderBase();
  renderVersions();
  renderTestDelivery();
  renderSenders();
  renderAudit();
  setBusy(saveButton, saving, 'admin.save.submit', 'admin.save.saving');
});

$('access-retry').addEventListener('click', start);

translateAttributes();
start();
