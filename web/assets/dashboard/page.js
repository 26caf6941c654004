// What every part of the dashboard shares: the APIs' bases, the statuses, the page's elements,
// builders for elements and SVG, busy buttons, keeping the focus across a redraw, and leaving an
// unchanged part alone.

import { t } from '../i18n.js';
import { adminCall } from '../admin-session.js';

export const NOTIFIER = '/notifier/api/admin';
export const IDENTITY = '/api/admin';

/** Every status, in the order of the tiles, the legend and the bars' stacks (bottom up). */
export const STATUSES = ['delivered', 'sent', 'sending', 'queued', 'deferred', 'bounced', 'complained', 'failed', 'abandoned', 'suppressed'];
// A complaint (the recipient reported the email as spam) is watched like a bounce: too many and providers block the sender.
export const ALERT_STATUSES = new Set(['bounced', 'complained', 'failed']);
export const RETRYABLE = new Set(['failed', 'abandoned', 'bounced']);

export const $ = (id) => document.getElementById(id);
export const enc = encodeURIComponent;
const SVG_NS = 'http://www.w3.org/2000/svg';

export function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

export function svg(tag, attributes = {}) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/**
 * Marks a button busy without disabling it: a disabled button drops the keyboard focus, and the
 * person would have to find their place again after every click.
 */
export function setBusy(button, busy) {
  button.setAttribute('aria-busy', String(busy));
  button.setAttribute('aria-disabled', String(busy));
}

export function isBusy(button) {
  return button.getAttribute('aria-busy') === 'true';
}

export function sum(counts) {
  return Object.values(counts ?? {}).reduce((total, n) => total + (Number(n) || 0), 0);
}

/**
 * Rebuilds `container` with `render`, putting the focus back on the control with the same
 * data-focus-key: a refresh every few seconds must not throw a keyboard user out of a table.
 */
export function keepFocus(container, render) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.focusKey : undefined;
  render();
  if (key) container.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}

/** What each part last drew, so an unchanged part is left alone (no flicker, no lost focus). */
const drawn = new Map();

export function changed(part, value) {
  const key = JSON.stringify(value);
  if (drawn.get(part) === key) return false;
  drawn.set(part, key);
  return true;
}

/** A call to an admin API with the admin token (see admin-session.js for what it resolves to). */
export const api = adminCall;

export function actionButton(textKey, labelKey, params, focusKey, onClick, extraClass = '') {
  const button = el('button', `btn btn-secondary btn-small ${extraClass}`.trim(), t(textKey));
  button.type = 'button';
  button.setAttribute('aria-label', t(labelKey, params));
  button.dataset.focusKey = focusKey;
  button.addEventListener('click', () => onClick(button));
  return button;
}
