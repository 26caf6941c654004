// What every part of the users page shares: its elements, the two admin APIs, status lines that
// keep their message across language switches, how an API problem is shown, dates and badges.

import { t, lang } from '../i18n.js';
import { adminCall } from '../admin-session.js';
import { StatusLine } from '../admin-messages.js';

export { StatusLine };

export const IDENTITY = '/api/admin/users';
export const NOTIFIER = '/notifier/api/admin';

export const $ = (id) => document.getElementById(id);
export const enc = encodeURIComponent;

export function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

/**
 * A call with the admin token (see admin-session.js for what it resolves to). Identity answers
 * its problems in the page's language when asked with `lang`.
 */
export function api(method, url, body) {
  const withLang = url.startsWith(IDENTITY) ? `${url}${url.includes('?') ? '&' : '?'}lang=${lang()}` : url;
  return adminCall(method, withLang, body);
}

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
  return new Intl.DateTimeFormat(lang() === 'ja' ? 'ja-JP' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' }).format(date);
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

/** The account's states as badges: deleted, deactivated, locked, verified or not, admin. */
export function stateBadges(user) {
  const badges = [];
  if (user.deleted_at) badges.push(badge(t('users.state.deleted'), 'badge-warn'));
  if (user.deactivated_at) badges.push(badge(t('users.state.deactivated'), 'badge-warn'));
  else if (user.email_verified_at) badges.push(badge(t('users.state.verified'), 'badge-active'));
  else badges.push(badge(t('users.state.unverified')));
  if (user.locked_until && new Date(user.locked_until) > new Date()) badges.push(badge(t('users.state.locked'), 'badge-warn'));
  if (user.roles?.includes('admin')) badges.push(badge(t('users.state.admin'), 'badge-custom'));
  for (const b of badges) b.dataset.state = b.textContent;
  return badges;
}

export function cell(content, className) {
  const td = el('td', className);
  td.append(content ?? '');
  return td;
}
