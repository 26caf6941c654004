// The login form: signs in against the API and opens the account page.
// A 403 with code "email_not_verified" offers to resend the confirmation email; a 429 says how long
// to wait. The values typed stay in place whatever happens.

import { t, lang, onLangChange } from './i18n.js';
import {
  LOGIN_URL,
  ME_URL,
  RESEND_COOLDOWN_SECONDS,
  Countdown,
  getJson,
  postJson,
  requestVerificationEmail,
  retryAfterSeconds,
} from './api.js';

const ACCOUNT_PAGE = '/account.html';

// Where to go after signing in: ?next=/some/page on this site, else the account page. Only a
// path on this origin is followed, so a link cannot send someone elsewhere after they log in.
function nextPage() {
  const next = new URLSearchParams(location.search).get('next');
  return next && /^\/[A-Za-z0-9_\-./]*$/.test(next) && !next.startsWith('//') ? next : ACCOUNT_PAGE;
}

const form = document.getElementById('login-form');
const submitButton = document.getElementById('login-submit');
const statusLine = document.getElementById('login-status');
const unverifiedBox = document.getElementById('unverified');
const resendButton = document.getElementById('resend-verification');
const resendStatusLine = document.getElementById('resend-verification-status');
const fields = {
  identifier: { input: document.getElementById('identifier'), required: 'err.identifier.required' },
  password: { input: document.getElementById('password'), required: 'err.password.required' },
};

let status = null; // { key, params } or { text }, and kind
let resendStatus = null; // the same, for the resend line
let sending = false;
let resending = false;
let unverifiedEmail = null; // the address from the 403, for the resend button
let signedInAs = null; // the username when the session is already signed in
const resendCooldown = new Countdown(renderResendButton);

// ---------------------------------------------------------------- fields and status lines

function showFieldError(name, error) {
  const { input } = fields[name];
  const box = document.getElementById(`${name}-error`);
  box.dataset.key = error?.key ?? '';
  box.dataset.text = error?.text ?? '';
  const message = error ? (error.text ?? t(error.key)) : '';
  if (message) {
    const line = document.createElement('p');
    line.textContent = message;
    box.replaceChildren(line);
    input.setAttribute('aria-invalid', 'true');
  } else {
    box.replaceChildren();
    input.removeAttribute('aria-invalid');
  }
}

function check(name) {
  const { input, required } = fields[name];
  const empty = (name === 'password' ? input.value : input.value.trim()) === '';
  showFieldError(name, empty ? { key: required } : null);
  return !empty;
}

function renderLine(line, message) {
  line.textContent = message ? (message.text ?? t(message.key, message.params)) : '';
  for (const kind of ['error', 'info', 'success']) line.classList.toggle(`is-${kind}`, message?.kind === kind);
}

function setStatus(message, kind = 'error') {
  status = message ? { ...message, kind } : null;
  renderLine(statusLine, status);
}

function setResendStatus(message, kind = 'error') {
  resendStatus = message ? { ...message, kind } : null;
  renderLine(resendStatusLine, resendStatus);
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

// ---------------------------------------------------------------- login

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
  let problem;
  try {
    ({ response, data: problem } = await postJson(LOGIN_URL, {
      username_or_email: fields.identifier.input.value.trim(),
      password: fields.password.input.value,
      locale: lang(),
    }));
  } catch {
    setSending(false);
    setStatus({ key: 'status.network' });
    submitButton.focus();
    return;
  }

  if (response.ok) {
    // The button stays busy until the account page opens.
    location.assign(nextPage());
    return;
  }
  setSending(false);
  showUnverified(null);

  if (response.status === 403 && problem?.code === 'email_not_verified') {
    const email = typeof problem.email === 'string' && problem.email ? problem.email
      : fields.identifier.input.value.trim();
    setStatus({ key: 'login.notVerified', params: { email } }, 'info');
    showUnverified(email);
    resendButton.focus();
    return;
  }

  if (response.status === 429) {
    const seconds = retryAfterSeconds(response);
    setStatus(seconds ? { key: 'login.locked', params: { seconds } } : { key: 'status.tooMany' });
  } else if (response.status === 401) {
    setStatus(problem?.detail ? { text: problem.detail } : { key: 'login.failed' });
  } else if (response.status === 400 && showFieldProblems(problem)) {
    return;
  } else {
    setStatus({ key: 'login.generic' });
  }
  submitButton.focus();
});

// A 400's `errors` name the API's fields; they are shown beside ours. Returns whether any was shown.
function showFieldProblems(problem) {
  const map = { usernameoremail: 'identifier', password: 'password' };
  let first = null;
  for (const [name, messages] of Object.entries(problem?.errors ?? {})) {
    const field = map[name.replace(/[_\s]/g, '').toLowerCase()];
    const list = (Array.isArray(messages) ? messages : [messages]).filter((m) => typeof m === 'string');
    if (!field || list.length === 0) continue;
    showFieldError(field, { text: list.join(' ') });
    first ??= field;
  }
  if (!first) return false;
  setStatus({ key: 'status.fix' });
  fields[first].input.focus();
  return true;
}

// ---------------------------------------------------------------- resend the confirmation email

function showUnverified(email) {
  unverifiedEmail = email;
  unverifiedBox.hidden = !email;
  // The email's 6-digit code works as well as its link: verify_code.html takes it, address filled in.
  if (email) document.getElementById('verify-code-link').href = `/verify_code.html?email=${encodeURIComponent(email)}`;
  if (!email) {
    setResendStatus(null);
  }
}

function renderResendButton() {
  const wait = resendCooldown.remaining();
  resendButton.disabled = resending || wait > 0;
  resendButton.setAttribute('aria-busy', String(resending));
  resendButton.textContent = resending ? t('resend.sending')
    : wait > 0 ? t('resend.wait', { n: wait }) : t('login.resend');
}

resendButton.addEventListener('click', async () => {
  if (resending || !unverifiedEmail || resendCooldown.remaining() > 0) return;
  resending = true;
  setResendStatus(null);
  renderResendButton();
  const { result, wait } = await requestVerificationEmail(unverifiedEmail);
  resending = false;
  if (result === 'sent') {
    setResendStatus({ key: 'resend.sent' }, 'success');
    resendCooldown.start(RESEND_COOLDOWN_SECONDS);
  } else if (result === 'tooMany') {
    setResendStatus(wait ? { key: 'resend.tooMany', params: { seconds: wait } } : { key: 'resend.tooManyNoWait' });
    if (wait) resendCooldown.start(wait);
  } else {
    setResendStatus({ key: result === 'network' ? 'status.network' : 'resend.failed' });
  }
  renderResendButton();
});

// ---------------------------------------------------------------- already signed in?

function renderSignedIn() {
  const box = document.getElementById('signed-in');
  box.hidden = !signedInAs;
  document.getElementById('signed-in-text').textContent =
    signedInAs ? t('login.signedIn', { username: signedInAs }) : '';
}

async function checkSession() {
  try {
    const { response, data } = await getJson(ME_URL);
    if (response.ok && data && typeof data.username === 'string') {
      signedInAs = data.username;
      renderSignedIn();
    }
  } catch {
    // Not knowing is the same as not signed in: the form works either way.
  }
}

// ---------------------------------------------------------------- language switch

onLangChange(() => {
  for (const name of Object.keys(fields)) {
    const { key, text } = document.getElementById(`${name}-error`).dataset;
    showFieldError(name, text ? { text } : key ? { key } : null);
  }
  renderLine(statusLine, status);
  renderLine(resendStatusLine, resendStatus);
  setSending(sending);
  renderResendButton();
  renderSignedIn();
});

renderResendButton();
checkSession();
