// The 6-digit code from the confirmation email, typed instead of opening its link: on the sign-up
// page's "check your email" panel and on verify_code.html. The server checks it; this module
// tidies what was typed (full-width digits, spaces), shows the answer and goes where it says.

import { t, lang, onLangChange } from '../i18n.js';
import { postJson, retryAfterSeconds } from '../api.js';

export const VERIFY_CODE_URL = '/api/auth/verify-email/code/';
const DIGITS = 6;

/** The code as the server reads it: NFKC (full-width digits), without spaces or hyphens; null if not 6 digits. */
export function normalizeCode(typed) {
  const compact = (typed ?? '').normalize('NFKC').replace(/[\s-]/g, '');
  return new RegExp(`^[0-9]{${DIGITS}}$`).test(compact) ? compact : null;
}

/**
 * Wires a code form. `parts` holds the elements (form, input, error, submit) and `email()`, which
 * returns the address or null when the page's own check refused it (and showed why).
 */
export function wireCodeForm(parts) {
  const { form, input, error, submit } = parts;
  const state = { sending: false, message: null }; // message: { key, params } or { text }

  function render() {
    const m = state.message;
    const text = m ? (m.text ?? t(m.key, m.params)) : '';
    // One line per message, as the other fields show theirs.
    const line = document.createElement('p');
    line.textContent = text;
    error.replaceChildren(...(text ? [line] : []));
    if (text) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    submit.disabled = state.sending;
    submit.setAttribute('aria-busy', String(state.sending));
    submit.textContent = t(state.sending ? 'code.checking' : 'code.submit');
  }

  function show(message) {
    state.message = message;
    render();
  }

  // A pasted "１２３ ４５６" becomes "123456" as it is typed; anything else is left for the check.
  input.addEventListener('input', () => {
    const tidy = input.value.normalize('NFKC').replace(/\s/g, '');
    if (/^[0-9]*$/.test(tidy) && tidy !== input.value) input.value = tidy.slice(0, DIGITS);
    if (state.message) show(null);
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (state.sending) return;
    const email = parts.email();
    if (email === null) return;
    const code = normalizeCode(input.value);
    if (code === null) {
      show({ key: input.value.trim() === '' ? 'err.code.required' : 'err.code.format' });
      input.focus();
      return;
    }

    state.sending = true;
    show(null);
    let response;
    let data;
    try {
      ({ response, data } = await postJson(VERIFY_CODE_URL, { email, code, locale: lang() }));
    } catch {
      state.sending = false;
      show({ key: 'status.network' });
      return;
    }
    state.sending = false;

    if (response.ok && typeof data?.next === 'string' && data.next.startsWith('/')) {
      window.location.assign(data.next);
      return;
    }
    if (response.status === 429) {
      show({ key: 'code.tooMany', params: { seconds: retryAfterSeconds(response) ?? 60 } });
    } else if (response.status === 400 && data?.errors) {
      // The server's sentence, already in the page's language; an address problem goes to its field.
      const texts = data.errors.code ?? data.errors.email ?? Object.values(data.errors)[0];
      show({ text: Array.isArray(texts) ? texts.join(' ') : t('code.failed') });
      if (data.reason === 'resend') parts.onResendNeeded?.();
    } else {
      show({ key: 'code.failed' });
    }
    input.focus();
    input.select();
  });

  onLangChange(render);
  render();
}
