// Numbers, times, durations and statuses as the page shows them, in the page's language.

import { t, lang } from '../i18n.js';
import { ALERT_STATUSES, el } from './page.js';

function locale() {
  return lang() === 'ja' ? 'ja-JP' : 'en-US';
}

export function formatNumber(value, digits = 0) {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}

export function formatClock(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(date);
}

export function formatDate(value) {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale(), {
    month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(date);
}

export function formatHourMinute(ms) {
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(ms));
}

/** A duration in seconds, in the largest two units that matter ("5 min 27 s", "2 h 5 min"). */
export function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  if (s < 60) return t('dash.duration.s', { s });
  if (s < 3600) return t('dash.duration.min', { m: Math.floor(s / 60), s: s % 60 });
  if (s < 86400) return t('dash.duration.h', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return t('dash.duration.d', { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600) });
}

/** Milliseconds as ms under a second, seconds with decimals under a minute, then as formatSeconds. */
export function formatMs(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return t('dash.duration.ms', { n: formatNumber(Math.round(ms)) });
  if (ms < 60_000) return t('dash.duration.sDecimal', { n: formatNumber(ms / 1000, ms < 10_000 ? 2 : 1) });
  return formatSeconds(ms / 1000);
}

export function statusName(status) {
  const key = `dash.status.${status}`;
  const text = t(key);
  return text === key ? status : text;
}

export function statusBadge(status) {
  const badge = el('span', `status-badge st-${status}`);
  badge.append(el('span', 'swatch', ''), statusName(status));
  if (ALERT_STATUSES.has(status)) badge.classList.add('is-alert');
  return badge;
}
