// The confirmation link failed; the server says why in `?reason=expired|used|invalid|deactivated`.
// Anything unknown is treated as an invalid link. An expired link can be replaced from here:
// the form asks for a new one by email address.

import { t, translatePage, onLangChange } from './i18n.js';
import { emailErrors } from './validation.js';
import { RESEND_COOLDOWN_SECONDS, Countdown, requestVerificationEmail } from './api.js';

const KNOWN_REASONS = ['expired', 'used', 'invalid', 'deactivated'];
const requested = new URLSearchParams(location.search).get('reason');
const reason = KNOWN_REASONS.includes(requested) ? requested : 'invalid';

document.getElementById('error-heading').dataset.i18n = `verifyError.${reason}.heading`;
document.getElementById('error-body').dataset.i18n = `verifyError.${reason}.body`;

// A used link means the address is already confirmed: logging in is the useful next step.
// An expired one is best replaced with the form, so both links step back.
// Otherwise the user has to register again to get a new link.
const register = document.getElementById('link-register');
const login = document.getElementById('link-login');
const [primary, secondary] = reason === 'used' ? [login, register] : [register, login];
primary.className = reason === 'expired' ? 'btn btn-secondary' : 'btn btn-primary';
secondary.className = 'btn btn-secondary';
document.getElementById('error-actions').replaceChildren(primary, secondary);
document.getElementById('error-icon').className =
  `result-icon ${reason === 'used' ? 'result-icon-info' : 'result-icon-error'}`;

translatePage();

// ---------------------------------------------------------------- a new link for an expired one

const form = document.getElementById('resend-form');
const emailInput = document.getElementById('resend-email');
const errorBox = document.getElementById('resend-email-error');
const submitButton = document.getElementById('resend-submit');
const statusLine = document.getElementById('resend-status');
const cooldown = new Countdown(renderButton);

let fieldError = null; // message key
let status = null; // { key, params } and kind
let sending = false;

function renderFieldError() {
  if (fieldError) {
    const line = document.createElement('p');
    line.textContent = t(fieldError);
    errorBox.replaceChildren(line);
    emailInput.setAttribute('aria-invalid', 'true');
  } else {
    errorBox.replaceChildren();
    emailInput.removeAttribute('aria-invalid');
  }
}

function check() {
  [fieldError = null] = emailErrors(emailInput.value.trim());
  renderFieldError();
  return fieldError === null;
}

function setStatus(message, kind = 'error') {
  status = message ? { ...message, kind } : null;
  renderStatus();
}

function renderStatus() {
  statusLine.textContent = status ? t(status.key, status.params) : '';
  statusLine.classList.toggle('is-error', status?.kind === 'error');
  statusLine.classList.toggle('is-success', status?.kind === 'success');
}

function renderButton() {
  const wait = cooldown.remaining();
  submitButton.disabled = sending || wait > 0;
  submitButton.setAttribute('aria-busy', String(sending));
  submitButton.textContent = sending ? t('form.sending')
    : wait > 0 ? t('resend.wait', { n: wait }) : t('verifyError.resend.submit');
}

if (reason === 'expired') {
  form.hidden = false;

  emailInput.addEventListener('input', () => {
    if (fieldError) check();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (sending || cooldown.remaining() > 0) return;
    if (!check()) {
      emailInput.focus();
      return;
    }
    sending = true;
    setStatus(null);
    renderButton();
    const { result, wait } = await requestVerificationEmail(emailInput.value.trim());
    sending = false;
    if (result === 'sent') {
      setStatus({ key: 'verifyError.resend.sent' }, 'success');
      cooldown.start(RESEND_COOLDOWN_SECONDS);
    } else if (result === 'tooMany') {
      setStatus(wait ? { key: 'resend.tooMany', params: { seconds: wait } } : { key: 'resend.tooManyNoWait' });
      if (wait) cooldown.start(wait);
    } else {
      setStatus({ key: result === 'network' ? 'status.network' : 'resend.failed' });
    }
    renderButton();
  });

  onLangChange(() => {
    renderFieldError();
    renderStatus();
    renderButton();
  });
  renderButton();
}
