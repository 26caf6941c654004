// Changing the password: the current one, the new one with the sign-up's checks (and not like
// the address), typed twice. On success every other login has ended: the list is reloaded.

import { t, onLangChange } from '../i18n.js';
import { retryAfterSeconds } from '../api.js';
import { isTooSimilar, normalizeUsername, passwordErrors } from '../validation.js';
import { PASSWORD_URL, StatusLine, send } from './requests.js';
import { accountForm } from './form.js';

const FIELDS = ['current_password', 'new_password', 'password_confirm'];

const section = document.getElementById('password-section');
const form = document.getElementById('password-form');
const status = new StatusLine(document.getElementById('password-status'), t);

let account = null;
let onChanged = () => {};

const { inputs, setErrors, render } = accountForm({
  form,
  submit: document.getElementById('password-submit'),
  status,
  fields: FIELDS,
  labels: { idle: 'password.submit', busy: 'password.changing' },
  clientErrors,
  request: () => send('POST', PASSWORD_URL, {
    current_password: inputs.current_password.value,
    new_password: inputs.new_password.value,
  }),
  problemStatus: (byField, shown, data) => (shown.length > 0 ? { key: 'profile.fix' } : { text: data?.detail ?? t('account.generic') }),
  answered(response, data) {
    if (response.ok) {
      // The passwords are of no more use on the page.
      form.reset();
      status.set({ key: 'password.changed', params: { n: data?.other_sessions_ended ?? 0 } }, 'success');
      onChanged();
    } else if (response.status === 429) {
      status.set({ key: 'password.locked', params: { seconds: retryAfterSeconds(response) ?? 900 } });
    } else if (response.status === 503) {
      status.set({ key: 'password.busy' });
    } else {
      status.set({ key: 'account.generic' });
    }
  },
});

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

for (const field of FIELDS) {
  inputs[field].addEventListener('blur', () => {
    if (inputs[field].value !== '') setErrors(field, { keys: clientErrors(field) });
  });
}

onLangChange(render);

/** Shows the form for `me` (the body of /api/auth/me/); `changed()` is called after a change. */
export function startPassword(me, changed) {
  account = me;
  onChanged = changed;
  document.getElementById('password-username').value = me.username;
  section.hidden = false;
}
