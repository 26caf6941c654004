// What every part of the webhooks page shares: its elements, the Notifier's webhooks API, status
// lines that keep their message across language switches, field errors, dates and badges.

import { t, lang } from '../i18n.js';
import { adminCall } from '../admin-session.js';
import { StatusLine } from '../admin-messages.js';

export { StatusLine };

export const API = '/notifier/api/admin/webhooks';

/** The events an endpoint can ask for, in the API's order. */
export const EVENTS = ['delivered', 'bounced', 'complained', 'deferred', 'failed', 'suppressed'];

export const $ = (id) => document.getElementById(id);
export const enc = encodeURIComponent;

export function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

export const api = (method, url, body) => adminCall(method, url, body);

export function problemText(problem) {
  const texts = Object.values(problem?.errors ?? {}).flat().filter((m) => typeof m === 'string');
  if (texts.length === 0 && typeof problem?.detail === 'string') texts.push(problem.detail);
  return texts.length > 0 ? { text: texts.join(' ') } : null;
}

/** Puts what went wrong on `line`: nothing when access is lost (the whole page says so). */
export function reportFailure(result, line, fallbackKey = 'admin.generic') {
  if (result.failed === 'access') return;
  if (result.failed === 'network') {
    line.set({ key: 'status.network' });
    return;
  }
  line.set(problemText(result.data) ?? { key: fallbackKey });
}

/**
 * Shows a validation problem's field errors under the fields `${prefix}-${field}` (url, events,
 * description); returns whether any was shown.
 */
export function showFieldErrors(prefix, problem) {
  let shown = false;
  for (const field of ['url', 'events', 'description']) {
    const box = $(`${prefix}-${field}-error`);
    const input = $(`${prefix}-${field}`);
    const messages = problem?.errors?.[field];
    box.textContent = Array.isArray(messages) ? messages.join(' ') : '';
    if (input) input.setAttribute('aria-invalid', String(Array.isArray(messages)));
    shown ||= Array.isArray(messages);
  }
  return shown;
}

export function clearFieldErrors(prefix) {
  showFieldErrors(prefix, null);
}

/** Marks a button busy without disabling it, so the keyboard focus stays where it was. */
export function setBusy(button, busy) {
  button.setAttribute('aria-busy', String(busy));
  button.setAttribute('aria-disabled', String(busy));
}

export function isBusy(button) {
  return button.getAttribute('aria-busy') === 'true';
}

export function formatDate(value) {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(lang() === 'ja' ? 'ja-JP' : 'en-US', { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

/** A <time> element showing `value` in the page's language. */
export function timeElement(value) {
  if (!value) return document.createTextNode('—');
  const time = el('time', '', formatDate(value));
  time.dateTime = value;
  return time;
}

export function badge(text, extra = '') {
  return el('span', `badge ${extra}`.trim(), text);
}

/** Enabled or disabled, as a badge. */
export function stateBadge(endpoint) {
  return endpoint.enabled ? badge(t('hooks.state.enabled'), 'badge-active') : badge(t('hooks.state.disabled'), 'hook-badge-off');
}

export function cell(content, className) {
  const td = el('td', className);
  td.append(content ?? '');
  return td;
}

/** One checkbox per event into `container` (ids `${prefix}-event-${name}`), checked as in `chosen`. */
export function renderEventChoices(container, prefix, chosen) {
  const checked = new Set(chosen);
  container.replaceChildren(...EVENTS.map((name) => {
    const row = el('div', 'check');
    const input = el('input');
    input.type = 'checkbox';
    input.id = `${prefix}-event-${name}`;
    input.value = name;
    input.checked = checked.has(name);
    const label = el('label', '', t(`hooks.event.${name}`));
    label.htmlFor = input.id;
    const code = el('code', 'hook-event-name', name);
    label.append(' ', code);
    row.append(input, label);
    return row;
  }));
}

export function chosenEvents(container) {
  return [...container.querySelectorAll('input[type=checkbox]')].filter((c) => c.checked).map((c) => c.value);
}
