// The page a password reset email links to: `?token=<43 characters of base64url>`.
// A missing or malformed token shows the "link cannot be used" panel without a form; so does a
// token the server refuses (invalid, expired or already used), with the server's message.
// Otherwise the new password is checked as the user types, with the sign-up rules (except the
// username one, which only the server can check), and sent with the token.
// With `&signup=1` the link came from a contested sign-up (several sign-ups for one address): the
// owner of the mailbox then chooses the username as well, and finishing verifies the address.

import { t, lang, onLangChange, translatePage } from './i18n.js';
import { passwordErrors, passwordStrength, usernameErrors, normalizeUsername } from './validation.js';
import { postJson, retryAfterSeconds } from './api.js';

const RESET_CONFIRM_URL = '/api/auth/password-reset/confirm/';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const params = new URLSearchParams(location.search);
const signup = params.get('signup') === '1';

// Form order: the first invalid field in this order gets the focus.
const FIELDS = signup ? ['username', 'password', 'password-confirm'] : ['password', 'password-confirm'];

const section = document.getElementById('reset-section');
const form = document.getElementById('reset-form');
const submitButton = document.getElementById('reset-submit');
const statusLine = document.getElementById('reset-status');
const invalidPanel = document.getElementById('reset-invalid');
const invalidBody = document.getElementById('reset-invalid-body');
const donePanel = document.getElementById('reset-done');
const passwordToggle = document.getElementById('password-toggle');
const inputs = Object.fromEntries(FIELDS.map((name) => [name, document.getElementById(name)]));
const errorBoxes = Object.fromEntries(FIELDS.map((name) => [name, document.getElementById(`${name}-error`)]));

const token = params.get('token') ?? '';

const state = {
  touched: new Set(), // fields checked as the user types: after leaving them once, or after a submit
  errors: {}, // field -> { keys: [...] } (ours, re-translated on a switch) or { texts: [...] } (server's)
  status: null, // { key, params } or { text }, and kind
  sending: false,
};

// ---------------------------------------------------------------- the three panels

function showOnly(panel) {
  for (const element of [section, invalidPanel, donePanel]) element.hidden = element !== panel;
}

/** `message` is the server's text for a refused token; without it the page's own text is shown. */
function showInvalid(message, { focus = false } = {}) {
  if (message) {
    // The server's text is already in the language the request was made in.
    delete invalidBody.dataset.i18n;
    invalidBody.textContent = message;
  }
  showOnly(invalidPanel);
  if (focus) document.getElementById('reset-invalid-heading').focus();
}

function showDone() {
  // The passwords are of no more use on the page.
  form.reset();
  showOnly(donePanel);
  document.getElementById('reset-done-heading').focus();
}

// ---------------------------------------------------------------- client checks

function clientErrors(field) {
  const password = inputs.password.value;
  const username = signup ? normalizeUsername(inputs.username.value) : '';
  if (field === 'username') return usernameErrors(username);
  if (field === 'password') {
    // On a reset the username is not known here: the server checks similarity to it.
    return passwordErrors(password, username);
  }
  const confirmation = inputs['password-confirm'].value;
  if (confirmation === '') return ['err.passwordConfirm.required'];
  return confirmation === password ? [] : ['err.passwordConfirm.mismatch'];
}

/** Checks one field, shows the result and returns its message keys. */
function check(field) {
  const keys = clientErrors(field);
  setFieldErrors(field, { keys });
  return keys;
}

function setFieldErrors(field, errors) {
  state.errors[field] = errors;
  renderFieldErrors(field);
}

function renderFieldErrors(field) {
  const errors = state.errors[field] ?? { keys: [] };
  const messages = errors.texts ?? errors.keys.map((key) => t(key));
  errorBoxes[field].replaceChildren(...messages.map((message) => {
    const line = document.createElement('p');
    line.textContent = message;
    return line;
  }));
  if (messages.length > 0) {
    inputs[field].setAttribute('aria-invalid', 'true');
  } else {
    inputs[field].removeAttribute('aria-invalid');
  }
}

function hasShownErrors(field) {
  const errors = state.errors[field];
  return Boolean(errors && (errors.texts ?? errors.keys).length > 0);
}

// ---------------------------------------------------------------- status line, button

function setStatus(message, kind = 'error') {
  state.status = message ? { ...message, kind } : null;
  renderStatus();
}

function renderStatus() {
  const current = state.status;
  statusLine.textContent = current ? (current.text ?? t(current.key, current.params)) : '';
  for (const kind of ['error', 'info', 'success']) statusLine.classList.toggle(`is-${kind}`, current?.kind === kind);
}

function setSending(sending) {
  state.sending = sending;
  submitButton.disabled = sending;
  submitButton.setAttribute('aria-busy', String(sending));
  submitButton.textContent = t(sending ? 'form.sending' : signup ? 'signup.submit' : 'reset.submit');
}

// ---------------------------------------------------------------- show/hide, strength

// One button shows or hides both fields, so the confirmation can be compared by eye.
function renderPasswordToggle() {
  const visible = inputs.password.type === 'text';
  passwordToggle.textContent = t(visible ? 'password.hide' : 'password.show');
  passwordToggle.setAttribute('aria-label', t(visible ? 'password.hideAllLabel' : 'password.showAllLabel'));
}

passwordToggle.addEventListener('click', () => {
  const type = inputs.password.type === 'password' ? 'text' : 'password';
  for (const field of ['password', 'password-confirm']) inputs[field].type = type;
  renderPasswordToggle();
});

function renderStrength() {
  const score = passwordStrength(inputs.password.value, '');
  document.getElementById('password-strength').hidden = score === 0;
  document.getElementById('password-strength-bar').dataset.score = String(score);
  document.getElementById('password-strength-text').textContent =
    score === 0 ? '' : `${t('strength.label')} ${t(`strength.${score}`)}`;
}

// ---------------------------------------------------------------- live checks

for (const field of FIELDS) {
  const input = inputs[field];

  input.addEventListener('input', () => {
    // Once the user has left a field (or submitted), keep its message in step with every key press.
    if (state.touched.has(field) || hasShownErrors(field)) check(field);
    // The password may not resemble the username being chosen.
    if (field === 'username' && (state.touched.has('password') || hasShownErrors('password'))) check('password');
    if (field === 'password') {
      renderStrength();
      const other = 'password-confirm';
      if (state.touched.has(other) || hasShownErrors(other)) check(other);
    }
  });

  input.addEventListener('blur', () => {
    // Leaving an untouched, empty field by tabbing through is not yet a mistake.
    if (!state.touched.has(field) && input.value === '') return;
    // A server message stays until the user changes the field (the input handler replaces it).
    if (state.errors[field]?.texts) return;
    state.touched.add(field);
    check(field);
  });
}

// ---------------------------------------------------------------- submit

// Keep the focus where it is when the button is pressed: a blur check would add or remove a message
// above the button, move it away from under the pointer and swallow the click.
submitButton.addEventListener('mousedown', (event) => event.preventDefault());

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (state.sending) return;

  for (const field of FIELDS) state.touched.add(field);
  const invalid = FIELDS.filter((field) => check(field).length > 0);
  if (invalid.length > 0) {
    setStatus({ key: 'status.fix' });
    inputs[invalid[0]].focus();
    return;
  }

  setStatus(null);
  setSending(true);
  let response;
  let problem;
  try {
    ({ response, data: problem } = await postJson(RESET_CONFIRM_URL, {
      token,
      ...(signup ? { username: inputs.username.value.trim() } : {}),
      password: inputs.password.value,
      locale: lang(),
    }));
  } catch {
    setSending(false);
    setStatus({ key: 'status.network' });
    submitButton.focus();
    return;
  }
  setSending(false);

  if (response.status === 204 || response.ok) {
    showDone();
    return;
  }
  // 409: the chosen username is taken (its message comes with the problem).
  if ((response.status === 400 || response.status === 409) && showProblem(problem)) return;
  if (response.status === 429) {
    const seconds = retryAfterSeconds(response);
    setStatus(seconds ? { key: 'resend.tooMany', params: { seconds } } : { key: 'resend.tooManyNoWait' });
  } else {
    setStatus({ key: 'reset.failed' });
  }
  submitButton.focus();
});

// Problem details (RFC 9457): `errors` maps field names to messages already in the user's language.
// A refused token replaces the form; password messages go under the field. Returns whether any
// message was shown.
function showProblem(problem) {
  const byName = {};
  for (const [name, messages] of Object.entries(problem?.errors ?? {})) {
    const list = (Array.isArray(messages) ? messages : [messages]).filter((m) => typeof m === 'string');
    if (list.length > 0) byName[name.toLowerCase()] = list;
  }

  if (byName.token) {
    showInvalid(byName.token.join(' '), { focus: true });
    return true;
  }
  if (signup && byName.username) {
    setFieldErrors('username', { texts: byName.username });
    if (byName.password) setFieldErrors('password', { texts: byName.password });
    setStatus({ key: 'status.fix' });
    inputs.username.focus();
    return true;
  }
  if (byName.password) {
    setFieldErrors('password', { texts: byName.password });
    setStatus({ key: 'status.fix' });
    inputs.password.focus();
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- start

onLangChange(() => {
  for (const field of FIELDS) renderFieldErrors(field);
  renderStatus();
  renderPasswordToggle();
  renderStrength();
  setSending(state.sending);
});

if (signup) {
  // The same form, worded for finishing a sign-up.
  document.getElementById('username-field').hidden = false;
  inputs.username.required = true;
  document.getElementById('reset-heading').dataset.i18n = 'signup.heading';
  document.querySelector('#reset-section .lead').dataset.i18n = 'signup.lead';
  document.getElementById('reset-done-heading').dataset.i18n = 'signup.done.heading';
  document.querySelector('#reset-done [data-i18n="reset.done.body"]').dataset.i18n = 'signup.done.body';
  document.querySelector('#reset-done [data-i18n="reset.done.note"]').hidden = true;
  translatePage();
}

if (TOKEN_SHAPE.test(token)) {
  showOnly(section);
  renderPasswordToggle();
  renderStrength();
} else {
  showInvalid(null);
}
