// Calls to /api/account/: JSON with `X-CSRF: 1` on every change (the server refuses one without
// it), the session cookie, and `Accept-Language` set to the page's language so the server's
// field messages come back in the language the page is showing.

import { lang } from '../i18n.js';
import { readJson } from '../api.js';

export const PROFILE_URL = '/api/account/profile/';
export const PASSWORD_URL = '/api/account/password/';
export const SESSIONS_URL = '/api/account/sessions/';
export const LOGIN_PAGE = '/login.html';

/** Resolves to { response, data }; rejects on a network failure. */
export async function send(method, url, body) {
  const headers = { Accept: 'application/json, application/problem+json', 'Accept-Language': lang() };
  if (method !== 'GET') headers['X-CSRF'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { response, data: await readJson(response) };
}

/** The session ended (elsewhere, or it expired): to the login page. */
export function toLogin() {
  location.assign(LOGIN_PAGE);
}

/**
 * Shows `messages` under a field (one paragraph each) and marks the input invalid while there are
 * any. `box` is the field's `.field-error` element.
 */
export function showFieldErrors(input, box, messages) {
  box.replaceChildren(...messages.map((message) => {
    const line = document.createElement('p');
    line.textContent = message;
    return line;
  }));
  if (messages.length > 0) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/** The problem's `errors` as { field: [messages] } (only string messages). */
export function problemErrors(problem) {
  const byField = {};
  for (const [name, messages] of Object.entries(problem?.errors ?? {})) {
    byField[name] = (Array.isArray(messages) ? messages : [messages]).filter((m) => typeof m === 'string');
  }
  return byField;
}

/** A status line that keeps its message as a key (re-translated on a language switch) or the server's text. */
export class StatusLine {
  constructor(element, t) {
    this.element = element;
    this.t = t;
    this.message = null;
  }

  set(message, kind = 'error') {
    this.message = message ? { ...message, kind } : null;
    this.render();
  }

  render() {
    const m = this.message;
    this.element.textContent = m ? (m.text ?? this.t(m.key, m.params)) : '';
    for (const kind of ['error', 'info', 'success']) this.element.classList.toggle(`is-${kind}`, m?.kind === kind);
  }
}
