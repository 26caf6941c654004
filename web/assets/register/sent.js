// After a sign-up: the "check your email" panel, resending the confirmation email (with its
// cooldown), a word when the email could not be delivered, and the field for the email's code.

import { t, onLangChange } from '../i18n.js';
import { watchMailStatus } from '../mail-status.js';
import { RESEND_COOLDOWN_SECONDS, Countdown, requestVerificationEmail } from '../api.js';
import { wireCodeForm } from './code.js';

const resendButton = document.getElementById('resend');
const resendStatus = document.getElementById('resend-status');
const resendCooldown = new Countdown(renderResend);

const state = {
  sentTo: null, // the address the confirmation email went to, once registered
  resending: false,
  resendStatus: null, // { key, params } and kind
};

/** Swaps the form (its `section`) for the panel saying where the email went. */
export function showSent(email, section) {
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

wireCodeForm({
  form: document.getElementById('code-form'),
  input: document.getElementById('code'),
  error: document.getElementById('code-error'),
  submit: document.getElementById('code-submit'),
  email: () => state.sentTo,
  // Too many wrong codes: only a new email's code works, so point at the resend button.
  onResendNeeded: () => resendButton.scrollIntoView({ block: 'center' }),
});

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

onLangChange(() => {
  renderResend();
  renderResendStatus();
});

renderResend();
