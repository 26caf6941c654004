// The account deletion page: "Download my data" (a JSON file) and "Delete my account" (password
// and a confirmation box), then a goodbye. Needs a session; without one it points to the login.

import { t, lang, onLangChange } from './i18n.js';
import { ME_URL, getJson, postJson, retryAfterSeconds } from './api.js';

const EXPORT_URL = '/api/account/export/';
const DELETE_URL = '/api/account/delete/';

const loading = document.getElementById('delete-loading');
const signedOut = document.getElementById('delete-signed-out');
const sections = document.getElementById('delete-sections');
const goodbye = document.getElementById('goodbye');
const exportButton = document.getElementById('export-button');
const exportStatus = document.getElementById('export-status');
const form = document.getElementById('delete-form');
const password = document.getElementById('delete-password');
const confirmBox = document.getElementById('delete-confirm');
const submitButton = document.getElementById('delete-submit');
const deleteStatus = document.getElementById('delete-status');

let username = '';
let purgeAfter = null; // the date the goodbye names
let exporting = false;
let deleting = false;
const shown = new Map(); // status line or error box -> { key, params } or { text }, and kind

// ---------------------------------------------------------------- messages

function render(element) {
  const message = shown.get(element);
  const text = message ? (message.text ?? t(message.key, message.params)) : '';
  if (element.classList.contains('field-error')) {
    const line = document.createElement('p');
    line.textContent = text;
    element.replaceChildren(...(text ? [line] : []));
    return;
  }
  element.textContent = text;
  for (const kind of ['error', 'info', 'success']) element.classList.toggle(`is-${kind}`, message?.kind === kind);
}

function show(element, message, kind = 'error') {
  if (message) shown.set(element, { ...message, kind });
  else shown.delete(element);
  render(element);
}

function fieldError(input, box, message) {
  show(box, message);
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function renderGoodbye() {
  document.getElementById('goodbye-purge').textContent = purgeAfter
    ? t('del.goodbye.purge', { date: new Date(purgeAfter).toLocaleDateString(lang() === 'ja' ? 'ja-JP' : 'en-GB') })
    : '';
}

onLangChange(() => {
  for (const element of shown.keys()) render(element);
  submitButton.textContent = t(deleting ? 'form.sending' : 'del.submit');
  exportButton.textContent = t(exporting ? 'del.export.working' : 'del.export.button');
  renderGoodbye();
});

// ---------------------------------------------------------------- who is signed in

async function load() {
  try {
    const { response, data } = await getJson(ME_URL);
    loading.hidden = true;
    if (response.ok && typeof data?.username === 'string') {
      username = data.username;
      document.getElementById('delete-username').textContent = username;
      sections.hidden = false;
    } else {
      signedOut.hidden = false;
    }
  } catch {
    loading.hidden = true;
    signedOut.hidden = false;
  }
}

// ---------------------------------------------------------------- download my data

function fileName(response) {
  const header = response.headers.get('Content-Disposition') ?? '';
  const match = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(header);
  const name = match ? decodeURIComponent(match[1] ?? match[2]) : '';
  return /^[\w.+-]+\.json$/.test(name) ? name : `salesmind-account-${username || 'data'}.json`;
}

exportButton.addEventListener('click', async () => {
  if (exporting) return;
  exporting = true;
  exportButton.disabled = true;
  exportButton.textContent = t('del.export.working');
  show(exportStatus, null);
  try {
    const response = await fetch(EXPORT_URL, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (response.ok) {
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName(response);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      show(exportStatus, { key: 'del.export.done' }, 'success');
    } else if (response.status === 429) {
      const seconds = retryAfterSeconds(response);
      show(exportStatus, seconds ? { key: 'del.export.tooMany', params: { seconds } } : { key: 'status.tooMany' });
    } else if (response.status === 401) {
      show(exportStatus, { key: 'del.signedOut' });
    } else {
      show(exportStatus, { key: 'del.export.failed' });
    }
  } catch {
    show(exportStatus, { key: 'status.network' });
  }
  exporting = false;
  exportButton.disabled = false;
  exportButton.textContent = t('del.export.button');
});

// ---------------------------------------------------------------- delete my account

const passwordError = document.getElementById('delete-password-error');
const confirmError = document.getElementById('delete-confirm-error');

function checkForm() {
  const noPassword = password.value === '';
  fieldError(password, passwordError, noPassword ? { key: 'del.password.required' } : null);
  fieldError(confirmBox, confirmError, confirmBox.checked ? null : { key: 'del.confirm.required' });
  if (noPassword) password.focus();
  else if (!confirmBox.checked) confirmBox.focus();
  return !noPassword && confirmBox.checked;
}

password.addEventListener('input', () => {
  if (password.hasAttribute('aria-invalid') && password.value !== '') fieldError(password, passwordError, null);
});
confirmBox.addEventListener('change', () => {
  if (confirmBox.checked) fieldError(confirmBox, confirmError, null);
});

function setDeleting(value) {
  deleting = value;
  submitButton.disabled = value;
  submitButton.setAttribute('aria-busy', String(value));
  submitButton.textContent = t(value ? 'form.sending' : 'del.submit');
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (deleting || !checkForm()) return;
  show(deleteStatus, null);
  setDeleting(true);
  let response;
  let data;
  try {
    ({ response, data } = await postJson(DELETE_URL, { password: password.value, locale: lang() }));
  } catch {
    setDeleting(false);
    show(deleteStatus, { key: 'status.network' });
    return;
  }
  setDeleting(false);

  if (response.ok) {
    password.value = '';
    purgeAfter = typeof data?.purge_after === 'string' ? data.purge_after : null;
    sections.hidden = true;
    document.getElementById('delete-heading').hidden = true;
    goodbye.hidden = false;
    renderGoodbye();
    document.getElementById('goodbye-heading').focus();
    return;
  }
  const passwordProblem = data?.errors?.password;
  if (response.status === 400 && Array.isArray(passwordProblem) && passwordProblem.length > 0) {
    fieldError(password, passwordError, { text: passwordProblem.join(' ') });
    password.focus();
  } else if (response.status === 429) {
    const seconds = retryAfterSeconds(response);
    show(deleteStatus, seconds ? { key: 'del.locked', params: { seconds } } : { key: 'status.tooMany' });
  } else if (response.status === 401) {
    show(deleteStatus, { key: 'del.signedOut' });
  } else {
    show(deleteStatus, data?.detail ? { text: data.detail } : { key: 'del.failed' });
  }
});

load();
