// The account list: search by the start of a name or address, filter by state, a page at a time.

import { t } from '../i18n.js';
import { $, IDENTITY, StatusLine, api, cell, el, isBusy, reportFailure, setBusy, stateBadges, timeElement } from './page.js';
import { openAccount } from './account.js';

const PAGE_SIZE = 25;

const list = { query: null, users: [], next: null };
const line = new StatusLine($('users-status'));

/** Where a problem of opening an account is shown while no account is open. */
export const listLine = line;

function listUrl(query, after) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (query.q) params.set('q', query.q);
  if (query.status) params.set('status', query.status);
  if (after) params.set('after', after);
  return `${IDENTITY}/?${params}`;
}

/** Loads the first page for the form's search, or the next page of the last one. */
export async function loadUsers(more = false) {
  const button = more ? $('users-more') : $('users-search');
  if (isBusy(button)) return;
  const query = more ? list.query : { q: $('users-q').value.trim(), status: $('users-filter').value };
  setBusy(button, true);
  const result = await api('GET', listUrl(query, more ? list.next : null));
  setBusy(button, false);
  if (result.failed || !result.response.ok || !Array.isArray(result.data?.users)) {
    reportFailure(result, line, 'users.list.failed');
    return;
  }
  list.query = query;
  list.users = more ? [...list.users, ...result.data.users] : result.data.users;
  list.next = result.data.next ?? null;
  renderUsers();
}

/** Puts a changed account back into its row, so the list agrees with the account shown. */
export function updateListed(user) {
  const index = list.users.findIndex((u) => u.id === user.id);
  if (index >= 0) {
    list.users[index] = user;
    renderUsers();
  }
}

export function renderUsers() {
  if (!list.query) return;
  $('users-box').hidden = list.users.length === 0;
  $('users-more').hidden = !list.next;
  line.set(list.users.length === 0
    ? { key: 'users.list.empty' }
    : { key: list.next ? 'users.list.countMore' : 'users.list.count', params: { n: list.users.length } }, 'info');
  $('users').tBodies[0].replaceChildren(...list.users.map((user) => {
    const row = el('tr');
    row.dataset.id = user.id;
    const states = el('td', 'user-states');
    states.append(...stateBadges(user));
    const open = el('button', 'btn btn-secondary btn-small user-open', t('users.open'));
    open.type = 'button';
    open.setAttribute('aria-label', t('users.openLabel', { username: user.username }));
    open.addEventListener('click', () => openAccount(user.id));
    row.append(cell(user.username, 'user-name'), cell(user.email, 'address'), states, cell(timeElement(user.created_at), 'nowrap'), cell(open));
    return row;
  }));
}

$('users-form').addEventListener('submit', (event) => {
  event.preventDefault();
  loadUsers(false);
});

$('users-more').addEventListener('click', () => loadUsers(true));
