// One account: its facts, the admin's actions on it, and (through the other parts) its profile,
// sessions, email history and audit. Each action is answered by reloading what it changed.

import { t } from '../i18n.js';
import { $, IDENTITY, StatusLine, api, badge, el, isBusy, reportFailure, setBusy, stateBadges, timeElement } from './page.js';
import { listLine, updateListed } from './list.js';
import { fillProfile } from './profile.js';
import { loadEmails, loadSessions } from './history.js';
import { loadAccountAudit, loadAudit } from './audit.js';

export const account = { user: null };
const line = new StatusLine($('user-action-status'));

/** Opens the account `id` below the list and moves the focus to its name. */
export async function openAccount(id) {
  line.set(null);
  if (!(await reloadAccount(id))) return;
  $('user').hidden = false;
  $('user-heading').focus();
  loadSessions(id);
  loadEmails(account.user.email);
  loadAccountAudit(id);
}

/** Reads the account again; false (with the reason on the status line) when it cannot. */
async function reloadAccount(id) {
  const result = await api('GET', `${IDENTITY}/${id}`);
  if (result.failed || !result.response.ok || !result.data?.id) {
    reportFailure(result, $('user').hidden ? listLine : line, 'users.account.failed');
    return false;
  }
  account.user = result.data;
  renderAccount();
  fillProfile(account.user);
  updateListed(account.user);
  return true;
}

function fact(termKey, value) {
  const wrap = el('div');
  const dd = el('dd');
  dd.append(value ?? '—');
  wrap.append(el('dt', '', t(termKey)), dd);
  return wrap;
}

export function renderAccount() {
  const user = account.user;
  if (!user) return;
  $('user-heading').textContent = user.username;
  $('user-badges').replaceChildren(...stateBadges(user));
  const delivery = user.email_delivery;
  const latest = delivery
    ? [
      t(`dash.status.${delivery.status}`),
      // Throttled or authentication failures are the sender's problem, not the address's.
      delivery.failure_class ? t(`dash.class.${delivery.failure_class}`) : null,
      delivery.template,
      delivery.diagnostic,
    ].filter(Boolean).join(' · ')
    : null;
  const roles = user.roles?.length ? el('span') : null;
  roles?.append(...user.roles.map((role) => badge(role, role === 'admin' ? 'badge-custom' : '')));
  $('user-facts').replaceChildren(
    fact('users.col.email', user.email),
    fact('users.col.created', timeElement(user.created_at)),
    fact('users.fact.verified', timeElement(user.email_verified_at)),
    fact('users.fact.roles', roles),
    fact('users.fact.locked', user.locked_until && new Date(user.locked_until) > new Date() ? timeElement(user.locked_until) : null),
    fact('users.fact.deactivated', timeElement(user.deactivated_at)),
    ...(user.deleted_at ? [fact('users.fact.deleted', timeElement(user.deleted_at))] : []),
    fact('users.fact.lastEmail', latest),
  );
  const admin = user.roles?.includes('admin');
  const off = Boolean(user.deactivated_at || user.deleted_at);
  $('user-resend').hidden = off || Boolean(user.email_verified_at);
  $('user-deactivate').hidden = Boolean(user.deactivated_at);
  $('user-reactivate').hidden = !user.deactivated_at || Boolean(user.deleted_at);
  $('user-grant-admin').hidden = admin || off || !user.email_verified_at;
  $('user-revoke-admin').hidden = !admin;
}

const ACTIONS = {
  'user-resend': { method: 'POST', path: 'resend-verification', done: 'users.done.resend' },
  'user-deactivate': { method: 'POST', path: 'deactivate', done: 'users.done.deactivate', confirm: 'users.confirm.deactivate' },
  'user-reactivate': { method: 'POST', path: 'reactivate', done: 'users.done.reactivate' },
  'user-grant-admin': { method: 'PUT', path: 'roles/admin', done: 'users.done.grantAdmin', confirm: 'users.confirm.grantAdmin' },
  'user-revoke-admin': { method: 'DELETE', path: 'roles/admin', done: 'users.done.revokeAdmin', confirm: 'users.confirm.revokeAdmin' },
};

async function act(button, action) {
  const user = account.user;
  if (!user || isBusy(button)) return;
  if (action.confirm && !window.confirm(t(action.confirm, { username: user.username }))) return;
  setBusy(button, true);
  const result = await api(action.method, `${IDENTITY}/${user.id}/${action.path}`);
  setBusy(button, false);
  if (result.failed || !result.response.ok) {
    reportFailure(result, line);
    return;
  }
  await reloadAccount(user.id);
  line.set({ key: action.done, params: { username: user.username } }, 'success');
  loadSessions(user.id);
  loadAccountAudit(user.id);
  loadAudit();
  // The button may have gone (deactivated: no more "deactivate"): the focus goes to the heading.
  if (button.hidden) $('user-heading').focus();
}

for (const [id, action] of Object.entries(ACTIONS)) {
  $(id).addEventListener('click', () => act($(id), action));
}

$('user-close').addEventListener('click', () => {
  $('user').hidden = true;
  account.user = null;
  document.querySelector('#users .user-open')?.focus();
});
