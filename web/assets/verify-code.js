// verify_code.html: the address and the 6-digit code of the confirmation email, for a person who
// no longer has the sign-up page open (another device, a closed tab). `?email=` fills the address.
// Resending asks for a new email (the same answer whether or not an account waits for one).

import { t, onLangChange } from './i18n.js';
import { emailErrors } from './validation.js';
import { RESEND_COOLDOWN_SECONDS, Countdown, requestVerificationEmail } from './api.js';
import { wireCodeForm } from './register/code.js';

const emailInput = document.getElementById('email');
const emailError = document.getElementById('email-error');
const resendButton = document.getElementById('resend');
const resendStatus = document.getElementById('resend-status');
const cooldown = new Countdown(renderResend);

let emailMessage = null; // { key }: ours, re-translated on a switch
let resendMessage = null; // { key, params } and kind
let resending = false;

const given = new URLSearchParams(window.location.search).get('email');
if (given) emailInput.value = given;

function renderEmailError() {
  const line = document.createElement('p');
  line.textContent = emailMessage ? t(emailMessage.key) : '';
  emailError.replaceChildren(...(emailMessage ? [line] : []));
  if (emailMessage) emailInput.setAttribute('aria-invalid', 'true');
  else emailInput.removeAttribute('aria-invalid');
}

/** The typed address, or null after showing why it cannot be one. */
function checkedEmail() {
  const email = emailInput.value.trim();
  const keys = emailErrors(email);
  emailMessage = keys.length > 0 ? { key: keys[0] } : null;
  renderEmailError();
  if (emailMessage) {
    emailInput.focus();
    return null;
  }
  return email;
}

emailInput.addEventListener('input', () => {
  if (emailMessage) {
    emailMessage = null;
    renderEmailError();
  }
});

wireCodeForm({
  form: document.getElementById('code-form'),
  input: document.getElementById('code'),
  error: document.getElementById('code-error'),
  submit: document.getElementById('code-submit'),
  email: checkedEmail,
  onResendNeeded: () => {
    resendMessage = { key: 'verifyCode.resendNeeded', kind: 'error' };
    renderResendStatus();
  },
});

function renderResend() {
  const wait = cooldown.remaining();
  resendButton.disabled = resending || wait > 0;
  resendButton.setAttribute('aria-busy', String(resending));
  resendButton.textContent = resending ? t('resend.sending')
    : wait > 0 ? t('verifyCode.resendWait', { n: wait }) : t('verifyCode.resend');
}

function renderResendStatus() {
  resendStatus.textContent = resendMessage ? t(resendMessage.key, resendMessage.params) : '';
  resendStatus.classList.toggle('is-error', resendMessage?.kind === 'error');
  resendStatus.classList.toggle('is-success', resendMessage?.kind === 'success');
}

resendButton.addEventListener('click', async () => {
  if (resending || cooldown.remaining() > 0) return;
  const email = checkedEmail();
  if (email === null) return;
  resending = true;
  resendMessage = null;
  renderResend();
  renderResendStatus();
  const { result, wait } = await requestVerificationEmail(email);
  resending = false;
  if (result === 'sent') {
    resendMessage = { key: 'verifyCode.resent', kind: 'success' };
    cooldown.start(RESEND_COOLDOWN_SECONDS);
  } else if (result === 'tooMany') {
    resendMessage = wait ? { key: 'resend.tooMany', params: { seconds: wait }, kind: 'error' } : { key: 'resend.tooManyNoWait', kind: 'error' };
    if (wait) cooldown.start(wait);
  } else {
    resendMessage = { key: result === 'network' ? 'status.network' : 'resend.failed', kind: 'error' };
  }
  renderResend();
  renderResendStatus();
});

onLangChange(() => {
  renderEmailError();
  renderResend();
  renderResendStatus();
});

renderResend();
