// "Forgot your password?": asks the API to email a reset link to an address.
// The server answers 202 alike whether or not an account has that address, so the panel that
// follows says "if an account exists". A 429 says how long to wait; the address typed stays.

import { t, lang, onLangChange } from './i18n.js';
import { emailErrors } from './validation.js';
import { postJson, retryAfterSeconds } from './api.js';

const RESET_REQUEST_URL = '/api/auth/password-reset/';

const section = document.getElementById('forgot-section');
const form = document.getElementById('forgot-form');
const emailInput = document.getElementById('email');
const errorBox = document.getElementById('email-error');
const submitButton = document.getElementById('forgot-submit');
const statusLine = document.getElementById('forgot-status');
const donePanel = document.getElementById('forgot-done');

let fieldError = null; // { key } (ours, re-translated on a switch) or { text } (the server's)
let touched = false; // checked as the user types: after leaving the field once, or after a submit
let status = null; // { key, params } or { text }, and kind
let sending = false;

// ---------------------------------------------------------------- field and status line

function showFieldError(error) {
  fieldError = error;
  renderFieldError();
}

function renderFieldError() {
  const message = fieldError ? (fieldError.text ?? t(fieldError.key)) : '';
  if (message) {
    const line = document.createElement('p');
    line.textContent = message;
    errorBox.replaceChildren(line);
    emailInput.setAttribute('aria-invalid', 'true');
  } else {
    errorBox.replaceChildren();
    emailInput.removeAttribute('aria-invalid');
  }
}

function check() {
  const [key] = emailErrors(emailInput.value.trim());
  showFieldError(key ? { key } : null);
  return !key;
}

function setStatus(message, kind = 'error') {
  status = message ? { ...message, kind } : null;
  renderStatus();
}

function renderStatus() {
  statusLine.textContent = status ? (status.text ?? t(status.key, status.params)) : '';
  for (const kind of ['error', 'info', 'success']) statusLine.classList.toggle(`is-${kind}`, status?.kind === kind);
}

function setSending(value) {
  sending = value;
  submitButton.disabled = value;
  submitButton.setAttribute('aria-busy', String(value));
  submitButton.textContent = t(value ? 'form.sending' : 'forgot.submit');
}

emailInput.addEventListener('input', () => {
  if (touched || fieldError) check();
});

emailInput.addEventListener('blur', () => {
  // Leaving an untouched, empty field by tabbing through is not yet a mistake.
  if (!touched && emailInput.value === '') return;
  // A server message stays until the user changes the field (the input handler replaces it).
  if (fieldError?.text) return;
  touched = true;
  check();
});

// ---------------------------------------------------------------- submit

// Keep the focus where it is when the button is pressed: a blur check would add or remove a message
// above the button, move it away from under the pointer and swallow the click.
submitButton.addEventListener('mousedown', (event) => event.preventDefault());

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (sending) return;
  touched = true;
  if (!check()) {
    setStatus(null);
    emailInput.focus();
    return;
  }

  const email = emailInput.value.trim();
  setStatus(null);
  setSending(true);
  let response;
  let problem;
  try {
    ({ response, data: problem } = await postJson(RESET_REQUEST_URL, { email, locale: lang() }));
  } catch {
    setSending(false);
    setStatus({ key: 'status.network' });
    submitButton.focus();
    return;
  }
  setSending(false);

  if (response.status === 202 || response.ok) {
    showDone(email);
    return;
  }
  if (response.status === 400 && showFieldProblem(problem)) return;
  if (response.status === 429) {
    const seconds = retryAfterSeconds(response);
    setStatus(seconds ? { key: 'resend.tooMany', params: { seconds } } : { key: 'resend.tooManyNoWait' });
  } else {
    setStatus({ key: 'forgot.failed' });
  }
  submitButton.focus();
});

// A 400's `errors.email` is shown under the field; returns whether it was.
function showFieldProblem(problem) {
  const messages = Object.entries(problem?.errors ?? {})
    .filter(([name]) => name.toLowerCase() === 'email')
    .flatMap(([, list]) => (Array.isArray(list) ? list : [list]))
    .filter((message) => typeof message === 'string');
  if (messages.length === 0) return false;
  showFieldError({ text: messages.join(' ') });
  setStatus({ key: 'status.fix' });
  emailInput.focus();
  return true;
}

// ---------------------------------------------------------------- the "check your email" panel

function showDone(email) {
  document.getElementById('forgot-email').textContent = email;
  section.hidden = true;
  donePanel.hidden = false;
  document.getElementById('forgot-done-heading').focus();
}

document.getElementById('forgot-retry').addEventListener('click', () => {
  donePanel.hidden = true;
  section.hidden = false;
  setStatus(null);
  emailInput.select();
  emailInput.focus();
});

// ---------------------------------------------------------------- language switch

onLangChange(() => {
  renderFieldError();
  renderStatus();
  setSending(sending);
});
