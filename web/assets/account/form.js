// What the account page's forms (profile.js, password.js) share: errors beside their fields (the
// page's keys, re-translated, or the server's texts), a submit button that says it is busy, the
// checks before sending, and the answers every form reads the same way (a network failure, 401,
// a 400's field errors). What to check, what to send and what an answer means is the caller's.

import { t } from '../i18n.js';
import { problemErrors, showFieldErrors, toLogin } from './requests.js';

/**
 * Wires `form` up. Options:
 *   submit, status        the submit button and the form's StatusLine
 *   fields                the field names (each an input of that id, with a box `${field}-error`)
 *   labels                { idle, busy }: the button's text keys
 *   clientErrors(field)   the page's error keys for a field
 *   request()             sends the form; resolves to { response, data } (see requests.js send)
 *   problemStatus(byField, shown, data)  the status after a 400 (the errors of `shown` fields are shown)
 *   answered(response, data)      any other answer but a 401
 * Returns { inputs, setErrors(field, { keys } | { texts }), render() } (render re-translates).
 */
export function accountForm({ form, submit, status, fields, labels, clientErrors, request, problemStatus, answered }) {
  const inputs = Object.fromEntries(fields.map((f) => [f, document.getElementById(f)]));
  const boxes = Object.fromEntries(fields.map((f) => [f, document.getElementById(`${f}-error`)]));
  const errors = {}; // field -> { keys } (the page's, re-translated) or { texts } (the server's)
  let sending = false;

  function setErrors(field, value) {
    errors[field] = value;
    showFieldErrors(inputs[field], boxes[field], value.texts ?? value.keys.map((key) => t(key)));
  }

  function setSending(value) {
    sending = value;
    submit.disabled = value;
    submit.setAttribute('aria-busy', String(value));
    submit.textContent = t(value ? labels.busy : labels.idle);
  }

  // Keep the focus where it is when the button is pressed: a check on leaving a field would add or
  // remove a message above the button, move it from under the pointer and swallow the click.
  submit.addEventListener('mousedown', (event) => event.preventDefault());

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (sending) return;
    const invalid = fields.filter((field) => {
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
      answer = await request();
    } catch {
      setSending(false);
      status.set({ key: 'account.network' });
      return;
    }
    setSending(false);
    const { response, data } = answer;
    if (response.status === 401) {
      toLogin();
    } else if (response.status === 400) {
      const byField = problemErrors(data);
      const shown = fields.filter((field) => byField[field]?.length);
      for (const field of shown) setErrors(field, { texts: byField[field] });
      status.set(problemStatus(byField, shown, data));
      if (shown.length > 0) inputs[shown[0]].focus();
    } else {
      answered(response, data);
    }
  });

  /** Shows the page's field errors, the status and the button again, in the current language. */
  function render() {
    for (const field of fields) if (errors[field]?.keys) setErrors(field, errors[field]);
    status.render();
    setSending(sending);
  }

  return { inputs, setErrors, render };
}
