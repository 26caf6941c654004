// What kind of failure a delivery, attempt or report was: a badge beside its status, and the
// names the search's class filter offers. Throttled and auth failures are the sender's problem
// (they never suppress the address): their badges stand out.

import { t } from '../i18n.js';
import { el } from './page.js';

export const FAILURE_CLASSES = ['hard', 'soft', 'throttled', 'auth', 'unknown'];

const SENDERS_PROBLEM = new Set(['throttled', 'auth']);

export function className(failureClass) {
  const key = `dash.class.${failureClass}`;
  const text = t(key);
  return text === key ? failureClass : text;
}

/** A badge for a class, or null when there is none (nothing failed). */
export function classBadge(failureClass) {
  if (!failureClass) return null;
  const known = FAILURE_CLASSES.includes(failureClass) ? failureClass : 'unknown';
  const badge = el('span', `class-badge fc-${known}`, className(failureClass));
  badge.dataset.class = failureClass;
  if (SENDERS_PROBLEM.has(known)) badge.classList.add('is-senders');
  return badge;
}

/** A table cell's content: the badge, or a dash. */
export function classCell(failureClass) {
  return classBadge(failureClass) ?? '—';
}
