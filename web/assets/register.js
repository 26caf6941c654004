// The sign-up form: loads the choices, checks fields as the user types, posts the registration
// and shows either the server's field errors or the "check your email" panel.

import { t, lang, onLangChange } from './i18n.js';
import { watchMailStatus } from './mail-status.js';
import {
  PURPOSE_MAX_LENGTH,
  usernameErrors,
  emailErrors,
  passwordErrors,
  industryErrors,
  salesExperienceErrors,
  purposeErrors,
  passwordStrength,
  normalizeUsername,
} from './validation.js';
import {
  RESEND_COOLDOWN_SECONDS,
  Countdown,
  choiceLabel,
  fetchChoices,
  postJson,
  requestVerificationEmail,
  retryAfterSeconds,
} from './api.js';

const REGISTER_URL = '/api/auth/register/';
// A busy service answers 503 with Retry-After: the same sign-up is sent again (it is idempotent:
// a copy that did get through changes nothing), at most this many times, waiting at most 10 s.
const BUSY_RETRIES = 2;

/** Posts the sign-up; a 503 is sent again after its Retry-After, saying so. */
async function postRegistration(body) {
  for (let attempt = 0; ; attempt++) {
    const answer = await postJson(REGISTER_URL, body);
    if (answer.response.status !== 503 || attempt >= BUSY_RETRIES) return answer;
    const seconds = Math.min(retryAfterSeconds(answer.response) ?? 2, 10);
    setStatus({ key: 'status.busy', params: { seconds } }, 'info');
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
}

// Form order: the first invalid field in this order gets the focus.
const FIELDS = ['username', 'email', 'password', 'industry', 'sales_experience', 'purpose'];

const form = document.getElementById('register-form');
const section = document.getElementById('register-section');
const submitButton = document.getElementById('register-submit');
const status = document.getElementById('form-status');
const inputs = Object.fromEntries(FIELDS.map((name) => [name, document.getElementById(name)]));
const errorBoxes = Object.fromEntries(FIELDS.map((name) => [name, document.getElementById(`${name}-error`)]));

const state = {
  choices: null, // { industries: [...], sales_experiences: [...] } once loaded
  touched: new Set(), // fields checked as the user types: after leaving them once, or after a submit
  errors: {}, // field -> { keys: [...] } (ours, re-translated on a switch) or { texts: [...] } (server's)
  status: null, // { key } or { text }, and kind
  sending: false,
  sentTo: null, // the address the confirmation email went to, once registered
  resending: false,
  resendStatus: null, // { key, params } and kind
};

// ---------------------------------------------------------------- values and client checks

function values() {
  return {
    // Checked as the server will see it; the trimmed value is what is sent (the server normalizes too).
    username: inputs.username.value.trim(),
    normalizedUsername: normalizeUsername(inputs.username.value),
    email: inputs.email.value.trim(),
    password: inputs.password.value,
    industry: inputs.industry.value,
    sales_experience: inputs.sales_experience.value,
    purpose: inputs.purpose.value,
  };
}

function allowedValues(list) {
  return state.choices ? state.choices[list].map((choice) => choice.value) : null;
}

function clientErrors(field) {
  const v = values();
  switch (field) {
    case 'username': return usernameErrors(v.normalizedUsername);
    case 'email': return emailErrors(v.email);
    case 'password': return passwordErrors(v.password, v.normalizedUsername);
    case 'industry': return industryErrors(v.industry, allowedValues('industries'));
    case 'sales_experience': return salesExperienceErrors(v.sales_experience, allowedValues('sales_experiences'));
    case 'purpose': return purposeErrors(v.purpose);
    default: return [];
  }
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

// ---------------------------------------------------------------- status line

function setStatus(message, kind = 'error') {
  state.status = message ? { ...message, kind } : null;
  renderStatus();
}

function renderStatus() {
  const current = state.status;
  status.textContent = current ? (current.text ?? t(current.key, current.params)) : '';
  status.classList.toggle('is-error', current?.kind === 'error');
  status.classList.toggle('is-info', current?.kind === 'info');
}

// ---------------------------------------------------------------- choices (industry, sales experience)

async function loadChoices() {
  document.getElementById('choices-error').hidden = true;
  inputs.industry.disabled = true;
  inputs.sales_experience.disabled = true;
  renderChoices();
  try {
    state.choices = await fetchChoices();
    inputs.industry.disabled = false;
    inputs.sales_experience.disabled = false;
    renderChoices();
  } catch {
    document.getElementById('choices-error').hidden = false;
    renderChoices();
  }
}

function renderChoices() {
  fillSelect(inputs.industry, state.choices?.industries, 'industry.placeholder');
  fillSelect(inputs.sales_experience, state.choices?.sales_experiences, 'sales.none');
}

function fillSelect(select, choices, emptyKey) {
  const selected = select.value;
  const empty = new Option(choices ? t(emptyKey) : t('choices.loading'), '');
  const options = (choices ?? []).map((choice) => new Option(choiceLabel(choice), choice.value));
  select.replaceChildren(empty, ...options);
  select.value = options.some((option) => option.value === selected) ? selected : '';
}

// ---------------------------------------------------------------- password field, purpose counter

const passwordToggle = document.getElementById('password-toggle');

function renderPasswordToggle() {
  const visible = inputs.password.type === 'text';
  passwordToggle.textContent = t(visible ? 'password.hide' : 'password.show');
  passwordToggle.setAttribute('aria-label', t(visible ? 'password.hideLabel' : 'password.showLabel'));
}

passwordToggle.addEventListener('click', () => {
  inputs.password.type = inputs.password.type === 'password' ? 'text' : 'password';
  renderPasswordToggle();
});

function renderStrength() {
  const v = values();
  const score = passwordStrength(v.password, v.normalizedUsername);
  document.getElementById('password-strength').hidden = score === 0;
  document.getElementById('password-strength-bar').dataset.score = String(score);
  document.getElementById('password-strength-text').textContent =
    score === 0 ? '' : `${t('strength.label')} ${t(`strength.${score}`)}`;
}

function renderCounter() {
  const n = inputs.purpose.value.length;
  const counter = document.getElementById('purpose-counter');
  counter.textContent = t('purpose.counter', { n, max: PURPOSE_MAX_LENGTH });
  counter.classList.toggle('is-over', purposeErrors(inputs.purpose.value).length > 0);
}

// ---------------------------------------------------------------- live checks

for (const field of FIELDS) {
  const input = inputs[field];
  const eventName = input.tagName === 'SELECT' ? 'change' : 'input';

  input.addEventListener(eventName, () => {
    if (input.tagName === 'SELECT') state.touched.add(field);
    // Once the user has left a field (or submitted), keep its message in step with every key press.
    // The purpose limit is shown at once, since the counter already shows it.
    if (state.touched.has(field) || hasShownErrors(field) || field === 'purpose') check(field);
    if (field === 'username' && (state.touched.has('password') || hasShownErrors('password'))) check('password');
    if (field === 'username' || field === 'password') renderStrength();
    if (field === 'purpose') renderCounter();
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

function firstInvalidField() {
  return FIELDS.find((field) => hasShownErrors(field));
}

function setSending(sending) {
  state.sending = sending;
  submitButton.disabled = sending;
  submitButton.setAttribute('aria-busy', String(sending));
  submitButton.textContent = t(sending ? 'form.sending' : 'register.submit');
}

// Keep the focus where it is when the button is pressed: a blur check would add or remove a message
// above the button, move it away from under the pointer and swallow the click. Submitting checks
// every field anyway.
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

  const v = values();
  const body = {
    username: v.username,
    email: v.email,
    password: v.password,
    industry: v.industry,
    sales_experience: v.sales_experience === '' ? null : v.sales_experience,
    locale: lang(),
  };
  if (v.purpose.trim() !== '') body.purpose = v.purpose;

  setStatus(null);
  setSending(true);
  let response;
  let data;
  try {
    ({ response, data } = await postRegistration(body));
  } catch {
    setSending(false);
    setStatus({ key: 'status.network' });
    submitButton.focus();
    return;
  }
  setSending(false);
  setStatus(null);

  if (response.status === 202) {
    showSent(typeof data?.email === 'string' ? data.email : body.email);
  } else if (response.status === 400 || response.status === 409) {
    showProblem(data);
  } else {
    setStatus({ key: response.status === 429 ? 'status.tooMany' : 'status.generic' });
    submitButton.focus();
  }
});

// Problem details (RFC 9457): `errors` maps field names to messages already in the user's language.
function showProblem(problem) {
  const byField = {};
  const other = [];
  for (const [name, messages] of Object.entries(problem?.errors ?? {})) {
    const list = (Array.isArray(messages) ? messages : [messages]).filter((m) => typeof m === 'string');
    const field = fieldFor(name);
    if (field) byField[field] = [...(byField[field] ?? []), ...list];
    else other.push(...list);
  }

  const fields = FIELDS.filter((field) => byField[field]?.length);
  for (const field of fields) setFieldErrors(field, { texts: byField[field] });

  if (other.length > 0) {
    setStatus({ text: other.join(' ') });
  } else if (fields.length > 0) {
    setStatus({ key: 'status.fix' });
  } else {
    setStatus(problem?.detail || problem?.title ? { text: problem.detail || problem.title } : { key: 'status.generic' });
  }

  if (fields.length > 0) inputs[fields[0]].focus();
  else submitButton.focus();
}

// Accepts "sales_experience", "salesExperience" or "SalesExperience" alike.
function fieldFor(name) {
  const normalized = name.replace(/[_\s]/g, '').toLowerCase();
  return FIELDS.find((field) => field.replace(/_/g, '') === normalized);
}

function showSent(email) {
  state.sentTo = email;
  document.getElementById('sent-email').textContent = email;
  section.hidden = true;
  const panel = document.getElementById('sent-panel');
  panel.hidden = false;
  document.getElementById('sent-heading').focus();
  // An email has just gone out: the next one may be asked for after the cooldown.
  resendCooldown.start(RESEND_COOLDOWN_SECONDS);
  watchMailStatus(document.getElementById('mail-unreachable'));
}

// ---------------------------------------------------------------- resend the confirmation email

const resendButton = document.getElementById('resend');
const resendStatus = document.getElementById('resend-status');
const resendCooldown = new Countdown(renderResend);

function renderResend() {
  const wait = resendCooldown.remaining();
  resendButton.disabled = state.resending || wait > 0 || !state.sentTo;
  resendButton.setAttribute('aria-busy', String(state.resending));
  resendButton.textContent = state.resending ? t('resend.sending')
    : wait > 0 ? t('resend.wait', { n: wait }) : t('resend.button');
}

function setResendStatus(message, kind = 'error') {
  state.resendStatus = message ? { ...message, kind } : null;
  renderResendStatus();
}

function renderResendStatus() {
  const current = state.resendStatus;
  resendStatus.textContent = current ? t(current.key, current.params) : '';
  resendStatus.classList.toggle('is-error', current?.kind === 'error');
  resendStatus.classList.toggle('is-success', current?.kind === 'success');
}

resendButton.addEventListener('click', async () => {
  if (state.resending || !state.sentTo || resendCooldown.remaining() > 0) return;
  state.resending = true;
  setResendStatus(null);
  renderResend();
  const { result, wait } = await requestVerificationEmail(state.sentTo);
  state.resending = false;
  if (result === 'sent') {
    setResendStatus({ key: 'resend.sent' }, 'success');
    resendCooldown.start(RESEND_COOLDOWN_SECONDS);
    watchMailStatus(document.getElementById('mail-unreachable'));
  } else if (result === 'tooMany') {
    setResendStatus(wait ? { key: 'resend.tooMany', params: { seconds: wait } } : { key: 'resend.tooManyNoWait' });
    if (wait) resendCooldown.start(wait);
  } else {
    setResendStatus({ key: result === 'network' ? 'status.network' : 'resend.failed' });
  }
  renderResend();
});

document.getElementById('choices-retry').addEventListener('click', loadChoices);

// ---------------------------------------------------------------- language switch

onLangChange(() => {
  renderChoices();
  for (const field of FIELDS) renderFieldErrors(field);
  renderStatus();
  renderPasswordToggle();
  renderStrength();
  renderCounter();
  setSending(state.sending);
  renderResend();
  renderResendStatus();
});

renderPasswordToggle();
renderStrength();
renderCounter();
renderResend();
loadChoices();
