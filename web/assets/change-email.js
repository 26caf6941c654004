// Changing the account's address (change_email.html), one section at a time:
// - no token in the address: signed in, the new address and the current password, then the
//   6-digit code mailed to the new address (signed out: a link to log in and come back);
// - `?token=…` (the link mailed to the new address): a button confirms the change;
// - `?undo_token=…` (the link mailed to the old address): a button undoes it and signs the
//   account out everywhere, then the page suggests resetting the password.
// The links act only on a click, never on page load: mail scanners open links too.

import { t, lang, onLangChange } from './i18n.js';
import { ME_URL, getJson, postJson, retryAfterSeconds } from './api.js';

const REQUEST_URL = '/api/account/email/';
const CONFIRM_URL = '/api/account/email/confirm/';
const UNDO_URL = '/api/account/email/undo/';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const EMAIL_SHAPE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

const $ = (id) => document.getElementById(id);
const SECTIONS = ['change-loading', 'change-signed-out', 'change-request', 'change-code', 'change-link', 'change-done',
  'change-undo', 'change-undone', 'change-invalid'];

const params = new URLSearchParams(location.search);
// Statuses and field messages are re-rendered on a language switch: { key, params } or { text }.
const shown = { statuses: {}, fields: {} };

function showOnly(id, focusId) {
  for (const section of SECTIONS) $(section).hidden = section !== id;
  if (focusId) $(focusId).focus();
}

function render(message) {
  if (!message) return '';
  return message.text ?? t(message.key, message.params);
}

function setStatus(id, message, kind = 'error') {
  shown.statuses[id] = message ? { ...message, kind } : null;
  const line = $(id);
  line.textContent = render(message);
  for (const k of ['error', 'info', 'success']) line.classList.toggle(`is-${k}`, Boolean(message) && kind === k);
}

function setFieldError(field, message) {
  shown.fields[field] = message;
  const input = $(field);
  $(`${field}-error`).replaceChildren(...(message ? [Object.assign(document.createElement('p'), { textContent: render(message) })] : []));
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/** The first message of each field in a problem body (already in the request's language). */
function fieldErrors(problem) {
  const byName = {};
  for (const [name, messages] of Object.entries(problem?.errors ?? {})) {
    const list = (Array.isArray(messages) ? messages : [messages]).filter((m) => typeof m === 'string');
    if (list.length > 0) byName[name.toLowerCase()] = list.join(' ');
  }
  return byName;
}

/** Sends one step; disables its button meanwhile. Resolves to { response, data } or null (network failure, shown). */
async function send(button, statusId, url, body) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  setStatus(statusId, null);
  try {
    return await postJson(url, { ...body, locale: lang() });
  } catch {
    setStatus(statusId, { key: 'changeEmail.failed' });
    return null;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** The answers every step shares: 429 with its wait, 503, anything else unexpected. */
function showGeneralFailure(statusId, response, problem) {
  if (response.status === 429) {
    const minutes = Math.max(1, Math.ceil((retryAfterSeconds(response) ?? 60) / 60));
    setStatus(statusId, { key: 'changeEmail.tooMany', params: { minutes } });
  } else if (response.status === 503) {
    setStatus(statusId, { key: 'changeEmail.busy' });
  } else {
    setStatus(statusId, problem?.detail ? { text: problem.detail } : { key: 'changeEmail.failed' });
  }
}

function showInvalid(message) {
  const body = $('change-invalid-body');
  if (message) {
    delete body.dataset.i18n;
    body.textContent = message;
  }
  showOnly('change-invalid', 'change-invalid-heading');
}

function showDone(email) {
  $('done-address').textContent = email;
  showOnly('change-done', 'change-done-heading');
}

// ---------------------------------------------------------------- step 1: the request

const changeForm = $('change-form');
changeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const newEmail = $('new-email').value.trim();
  const password = $('password').value;
  setFieldError('new-email', newEmail === '' ? { key: 'err.email.required' } : EMAIL_SHAPE.test(newEmail) ? null : { key: 'err.email.invalid' });
  setFieldError('password', password === '' ? { key: 'err.password.required' } : null);
  if (shown.fields['new-email'] || shown.fields.password) {
    $(shown.fields['new-email'] ? 'new-email' : 'password').focus();
    return;
  }

  const result = await send($('change-submit'), 'change-status', REQUEST_URL, { new_email: newEmail, password });
  if (!result) return;
  const { response, data } = result;
  if (response.status === 202) {
    $('password').value = '';
    $('code-address').textContent = data?.new_email ?? newEmail;
    $('code').value = '';
    setFieldError('code', null);
    setStatus('code-status', null);
    showOnly('change-code', 'change-code-heading');
    return;
  }
  if (response.status === 401) {
    showOnly('change-signed-out');
    return;
  }
  const errors = fieldErrors(data);
  if (response.status === 400 && (errors.new_email || errors.password)) {
    setFieldError('new-email', errors.new_email ? { text: errors.new_email } : null);
    setFieldError('password', errors.password ? { text: errors.password } : null);
    $(errors.new_email ? 'new-email' : 'password').focus();
    return;
  }
  showGeneralFailure('change-status', response, data);
});

// ---------------------------------------------------------------- step 2: the code

$('code-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const code = $('code').value.trim();
  if (code === '') {
    setFieldError('code', { key: 'changeEmail.code.required' });
    $('code').focus();
    return;
  }
  setFieldError('code', null);
  const result = await send($('code-submit'), 'code-status', CONFIRM_URL, { code });
  if (!result) return;
  const { response, data } = result;
  if (response.ok) {
    showDone(data?.email ?? '');
    return;
  }
  if (response.status === 401) {
    // The session ended meanwhile (logged out elsewhere, or an undo): log in and ask again.
    showOnly('change-signed-out');
    return;
  }
  const errors = fieldErrors(data);
  if (errors.code || errors.new_email) {
    setFieldError('code', { text: errors.code ?? errors.new_email });
    $('code').focus();
    return;
  }
  showGeneralFailure('code-status', response, data);
});

$('code-restart').addEventListener('click', () => {
  setStatus('change-status', null);
  showOnly('change-request', 'new-email');
});

// ---------------------------------------------------------------- the links

async function useLink(buttonId, statusId, url, token, onDone) {
  const result = await send($(buttonId), statusId, url, { token });
  if (!result) return;
  const { response, data } = result;
  if (response.ok) {
    onDone(data ?? {});
    return;
  }
  const errors = fieldErrors(data);
  if (errors.token || errors.new_email) {
    showInvalid(errors.token ?? errors.new_email);
    return;
  }
  showGeneralFailure(statusId, response, data);
}

$('link-submit').addEventListener('click', () =>
  useLink('link-submit', 'link-status', CONFIRM_URL, params.get('token'), (data) => showDone(data.email ?? '')));

$('undo-submit').addEventListener('click', () =>
  useLink('undo-submit', 'undo-status', UNDO_URL, params.get('undo_token'), (data) => {
    $('undone-address').textContent = data.email ?? '';
    if (data.restored === false) $('undone-body').dataset.i18n = 'changeEmail.undone.notRestored';
    $('undone-body').textContent = t($('undone-body').dataset.i18n);
    // The password was made unusable; the restored address got the link to choose a new one.
    if (data.password_reset_sent) $('undone-advice').dataset.i18n = 'changeEmail.undone.passwordReset';
    $('undone-advice').textContent = t($('undone-advice').dataset.i18n);
    showOnly('change-undone', 'change-undone-heading');
  }));

// ---------------------------------------------------------------- start

onLangChange(() => {
  for (const [id, message] of Object.entries(shown.statuses)) if (message) setStatus(id, message, message.kind);
  for (const [field, message] of Object.entries(shown.fields)) if (message) setFieldError(field, message);
});

async function start() {
  if (params.has('undo_token')) {
    if (TOKEN_SHAPE.test(params.get('undo_token'))) showOnly('change-undo');
    else showInvalid(null);
    return;
  }
  if (params.has('token')) {
    if (TOKEN_SHAPE.test(params.get('token'))) showOnly('change-link');
    else showInvalid(null);
    return;
  }
  let me;
  try {
    me = await getJson(ME_URL);
  } catch {
    me = null;
  }
  if (!me?.response.ok) {
    showOnly('change-signed-out');
    return;
  }
  $('change-current').textContent = me.data?.email ?? '';
  showOnly('change-request');
}

start();
