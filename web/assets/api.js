// Calls to the Identity API shared by the pages, and the resend cooldown.
//
// Every POST carries `X-CSRF: 1` (the server refuses state-changing requests without it) and the
// session cookie (`credentials: 'same-origin'`). Errors come as problem details (RFC 9457).

import { lang } from './i18n.js';

export const ME_URL = '/api/auth/me/';
export const LOGIN_URL = '/api/auth/login/';
export const LOGOUT_URL = '/api/auth/logout/';
export const RESEND_URL = '/api/auth/resend-verification/';
export const CHOICES_URL = '/api/auth/industries/';

/** Seconds between two resend requests for one address (the server sends at most one a minute). */
export const RESEND_COOLDOWN_SECONDS = 60;

const ACCEPT = 'application/json, application/problem+json';

/** GET; resolves to { response, data } (data null when the body is not JSON). Rejects on network failure. */
export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: ACCEPT }, credentials: 'same-origin' });
  return { response, data: await readJson(response) };
}

/** POST with a JSON body (or none); resolves to { response, data }. Rejects on network failure. */
export async function postJson(url, body) {
  const headers = { Accept: ACCEPT, 'X-CSRF': '1' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, {
    method: 'POST',
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { response, data: await readJson(response) };
}

export async function readJson(response) {
  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * The wait a 429 asks for, in whole seconds (at least 1), from `Retry-After` in seconds or as an
 * HTTP date; null when the header is missing or unreadable.
 */
export function retryAfterSeconds(response) {
  const value = response.headers.get('Retry-After')?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Math.max(1, Number(value));
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

/**
 * Asks for a new confirmation email. Resolves to
 * { result: 'sent' | 'tooMany' | 'error' | 'network', wait: seconds | null }.
 * 'sent' says nothing about the address: the server accepts every request alike.
 */
export async function requestVerificationEmail(email) {
  let response;
  try {
    ({ response } = await postJson(RESEND_URL, { email, locale: lang() }));
  } catch {
    return { result: 'network', wait: null };
  }
  if (response.status === 202 || response.ok) return { result: 'sent', wait: null };
  if (response.status === 429) return { result: 'tooMany', wait: retryAfterSeconds(response) };
  return { result: 'error', wait: null };
}

/** The industry and sales experience choices: { industries: [...], sales_experiences: [...] }. Rejects on failure. */
export async function fetchChoices() {
  const response = await fetch(CHOICES_URL, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const data = await response.json();
  return {
    industries: Array.isArray(data.industries) ? data.industries : [],
    sales_experiences: Array.isArray(data.sales_experiences) ? data.sales_experiences : [],
  };
}

/** A choice's label in the current language (Japanese, then the raw value, as fallbacks). */
export function choiceLabel(choice) {
  return choice.labels?.[lang()] ?? choice.labels?.ja ?? choice.value;
}

/**
 * A countdown in whole seconds that calls `render(remaining)` at once, every second and at 0.
 * It follows the clock rather than counting ticks, so a throttled background tab stays right.
 */
export class Countdown {
  constructor(render) {
    this.render = render;
    this.endsAt = 0;
    this.timer = null;
  }

  start(seconds) {
    this.stop();
    this.last = undefined;
    this.endsAt = Date.now() + seconds * 1000;
    this.timer = setInterval(() => this.tick(), 250);
    this.tick();
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }

  remaining() {
    return Math.max(0, Math.ceil((this.endsAt - Date.now()) / 1000));
  }

  tick() {
    const remaining = this.remaining();
    if (remaining === 0) this.stop();
    if (remaining !== this.last || remaining === 0) {
      this.last = remaining;
      this.render(remaining);
    }
  }
}
