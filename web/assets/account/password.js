// Changing the password: the current one, the new one with the sign-up's checks (and not like
// the address), typed twice. On success every other login has ended: the list is reloaded.

import { t, onLangChange } from '../i18n.js';
import { retryAfterSeconds } from '../api.js';
import { isTooSimilar, normalizeUsername, passwordErrors } from '../validation.js';
import { PASSWORD_URL, StatusLine, problemErrors, send, showFieldErrors, toLogin } from './requests.js';

const FIELDS = ['current_password', 'new_password', 'password_confirm'];

const section = document.getElementById('password-section');
const form = document.getElementById('password-form');
const submit = document.getElementById('password-submit');
const inputs = Object.fromEntries(FIELDS.map((f) => [f, document.getElementById(f)]));
const boxes = Object.fromEntries(FIELDS.map((f) => [f, document.getElementById(`${f}-error`)]));
const status = new StatusLine(document.getElementById('password-status'), t);

let account = null;
let onChanged = () => {};
let sending = false;
const errors = {};

function clientErrors(field) {
  const value = inputs[field].value;
  if (field === 'current_password') return value === '' ? ['err.currentPassword.required'] : [];
  if (field === 'new_password') {
    const problems = passwordErrors(value, normalizeUsername(account.username));
    if (problems.length > 0) return problems;
    const email = account.email ?? '';
    const local = email.split('@')[0];
    return email && (isTooSimilar(value, email) || isTooSimilar(value, local)) ? ['err.password.similar_email'] : [];
  }
  if (value === '') return ['err.passwordConfirm.required'];
  return value === inputs.new_password.value ? [] : ['err.passwordConfirm.mismatch'];
}

function setErrors(field, value) {
  errors[field] = value;
  showFieldErrors(inputs[field], boxes[field], value.texts ?? value.keys.map((key) => t(key)));
}

function setSending(value) {
  sending = value;
  submit.disabled = value;
  submit.setAttribute('aria-busy', String(value));
  submit.textContent = t(value ? 'password.changing' : 'password.submit');
}

// Keep the focus where it is when the button is pressed: a check on leaving a field would add or
// remove a message above the button, move it from under the pointer and swallow the click.
submit.addEventListener('mousedown', (event) => event.preventDefault());

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (sending) return;
  const invalid = FIELDS.filter((field) => {
    const keys = clientErrors(field);
    setErrors(field, { keys });
    return keys.length > 0;
  });
  if (invalid.length > 0) {
    status.set({ key: 'profile.fix' });
    inputs[invalid[0]].focus();
    return;
  }

  status.set(null);
  setSending(true);
  let answer;
  try {
    answer = await send('POST', PASSWORD_URL, {
      current_password: inputs.current_password.value,
      new_password: inputs.new_password.value,
    });
  } catch {
    setSending(false);
    status.set({ key: 'account.network' });
    return;
  }
  setSending(false);
  const { response, data } = answer;
  if (response.status === 401) {
    toLogin();
  } else if (response.ok) {
    // The passwords are of no more use on the page.
    form.reset();
    status.set({ key: 'password.changed', params: { n: data?.other_sessions_ended ?? 0 } }, 'success');
    onChanged();
  } else if (response.status === 400) {
    const byField = problemErrors(data);
    const shown = FIELDS.filter((field) => byField[field]?.length);
    for (const field of shown) setErrors(field, { texts: byField[field] });
    status.set(shown.length > 0 ? { key: 'profile.fix' } : { text: data?.detail ?? t('account.generic') });
    if (shown.length > 0) inputs[shown[0]].focus();
  } else if (response.status === 429) {
    status.set({ key: 'password.locked', params: { seconds: retryAfterSeconds(response) ?? 900 } });
  } else if (response.status === 503) {
    status.set({ key: 'password.busy' });
  } else {
    status.set({ key: 'account.generic' });
  }
});

for (const field of FIELDS) {
  inputs[field].addEventListener('blur', () => {
    if (inputs[field].value !== '') setErrors(field, { keys: clientErrors(field) });
  });
}

onLangChange(() => {
  for (const field of FIELDS) if (errors[field]?.keys) setErrors(field, errors[field]);
  status.render();
  setSending(sending);
});

/** Shows the form for `me` (the body of /api/auth/me/); `changed()` is called after a change. */
export function startPassword(me, changed) {
  account = me;
  onChanged = changed;
  document.getElementById('password-username').value = me.username;
  section.hidden = false;
}
