// The login form. The login API is not built yet: until it is, the server answers 404/405/501
// and the page says that logging in is not available yet.

import { t, lang, onLangChange } from './i18n.js';

const LOGIN_URL = '/api/auth/login/';
const NOT_AVAILABLE = [404, 405, 501];

const form = document.getElementById('login-form');
const submitButton = document.getElementById('login-submit');
const statusLine = document.getElementById('form-status');
const fields = {
  identifier: { input: document.getElementById('identifier'), required: 'err.identifier.required' },
  password: { input: document.getElementById('password'), required: 'err.password.required' },
};

let status = null; // { key } or { text }, and kind
let sending = false;

function showFieldError(name, key) {
  const { input } = fields[name];
  const box = document.getElementById(`${name}-error`);
  box.dataset.key = key ?? '';
  box.textContent = key ? t(key) : '';
  if (key) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function check(name) {
  const { input, required } = fields[name];
  const empty = (name === 'password' ? input.value : input.value.trim()) === '';
  showFieldError(name, empty ? required : null);
  return !empty;
}

function setStatus(message, kind = 'error') {
  status = message ? { ...message, kind } : null;
  statusLine.textContent = status ? (status.text ?? t(status.key)) : '';
  statusLine.classList.toggle('is-error', status?.kind === 'error');
  statusLine.classList.toggle('is-info', status?.kind === 'info');
  statusLine.classList.toggle('is-success', status?.kind === 'success');
}

function setSending(value) {
  sending = value;
  submitButton.disabled = value;
  submitButton.setAttribute('aria-busy', String(value));
  submitButton.textContent = t(value ? 'form.sending' : 'login.submit');
}

for (const name of Object.keys(fields)) {
  const { input } = fields[name];
  input.addEventListener('input', () => {
    if (input.hasAttribute('aria-invalid')) check(name);
  });
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (sending) return;
  const invalid = Object.keys(fields).filter((name) => !check(name));
  if (invalid.length > 0) {
    fields[invalid[0]].input.focus();
    return;
  }

  setStatus(null);
  setSending(true);
  let response;
  try {
    response = await fetch(LOGIN_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' },
      body: JSON.stringify({
        username_or_email: fields.identifier.input.value.trim(),
        password: fields.password.input.value,
        locale: lang(),
      }),
    });
  } catch {
    setSending(false);
    setStatus({ key: 'status.network' });
    return;
  }
  const problem = await response.json().catch(() => null);
  setSending(false);

  if (response.ok) {
    setStatus({ key: 'login.success' }, 'success');
  } else if (NOT_AVAILABLE.includes(response.status)) {
    setStatus({ key: 'login.unavailable' }, 'info');
  } else if (response.status === 429) {
    setStatus({ key: 'status.tooMany' });
  } else if (response.status === 400 || response.status === 401) {
    setStatus(problem?.detail ? { text: problem.detail } : { key: 'login.failed' });
  } else {
    setStatus({ key: 'login.generic' });
  }
  submitButton.focus();
});

onLangChange(() => {
  for (const name of Object.keys(fields)) {
    const key = document.getElementById(`${name}-error`).dataset.key;
    showFieldError(name, key || null);
  }
  setStatus(status && (status.text ? { text: status.text } : { key: status.key }), status?.kind);
  setSending(sending);
});
