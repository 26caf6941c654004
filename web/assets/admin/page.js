// What every part of the admin page shares: its elements, the Notifier's admin API, and the small
// builders for badges, table cells, row buttons and dates.

import { t, lang } from '../i18n.js';
import { adminCall } from '../admin-session.js';

const ADMIN_API = '/notifier/api/admin';

export const PARTS = ['subject', 'html', 'text'];

export const $ = (id) => document.getElementById(id);

/** The template fields of the editor, by part. */
export const fields = Object.fromEntries(PARTS.map((part) => [part, $(part)]));
export const localeSelect = $('locale');

export const enc = encodeURIComponent;

/** A call to the Notifier's admin API (see admin-session.js for what it resolves to). */
export function api(method, path, body) {
  return adminCall(method, ADMIN_API + path, body);
}

export function setBusy(button, busy, idleKey, busyKey = idleKey) {
  button.disabled = busy;
  button.setAttribute('aria-busy', String(busy));
  button.textContent = t(busy ? busyKey : idleKey);
}

export function badge(text, extra = '') {
  const span = document.createElement('span');
  span.className = `badge ${extra}`.trim();
  span.textContent = text;
  return span;
}

export function formatDate(value) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(lang() === 'ja' ? 'ja-JP' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function cell(content, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  td.append(content ?? '');
  return td;
}

export function actionButton(textKey, labelKey, params, className, onClick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `btn btn-secondary btn-small ${className}`;
  button.textContent = t(textKey);
  button.setAttribute('aria-label', t(labelKey, params));
  button.addEventListener('click', () => onClick(button));
  return button;
}
