// The sign-up form: loads the choices, checks fields as the user types, posts the registration
// and shows either the server's field errors or the "check your email" panel.
//
// This module is the page's entry: the status line and the submit. The parts are in register/:
//   fields.js    values, checks, field errors, password and purpose aids
//   choices.js   the industry and sales-experience lists
//   sent.js      the "check your email" panel and resending the email

import { t, lang, onLangChange } from './i18n.js';
import { postJson, retryAfterSeconds } from './api.js';
import { FIELDS, check, inputs, setFieldErrors, touched, values } from './register/fields.js';
import { loadChoices } from './register/choices.js';
import { showSent } from './register/sent.js';

const REGISTER_URL = '/api/auth/register/';
// A busy service answers 503 with Retry-After: the same sign-up is sent again (it is idempotent:
// a copy that did get through changes nothing), at most this many times, waiting at most 10 s
// each time: a replica that crashed takes some seconds to come back, and the rest is busy meanwhile.
const BUSY_RETRIES = 4;

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

const form = document.getElementById('register-form');
const section = document.getElementById('register-section');
const submitButton = document.getElementById('register-submit');
const status = document.getElementById('form-status');

const state = {
  status: null, // { key } or { text }, and kind
  sending: false,
};

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

// ---------------------------------------------------------------- submit

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

  for (const field of FIELDS) touched.add(field);
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
    showSent(typeof data?.email === 'string' ? data.email : body.email, section);
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

// ---------------------------------------------------------------- language switch

onLangChange(() => {
  renderStatus();
  setSending(state.sending);
});

loadChoices();
