// The signed-in page: shows the account from /api/auth/me/ (or sends a signed-out visitor to the
// login page), links admins to the admin page, and logs out. Its parts are in account/:
//   profile.js   editing the profile
//   password.js  changing the password
//   sessions.js  where the account is logged in, and signing those browsers out
//   requests.js  the calls to /api/account/ they share
//   form.js      what the profile and password forms share (field errors, busy button, answers)

import { t, lang, onLangChange } from './i18n.js';
import { LOGOUT_URL, ME_URL, choiceLabel, fetchChoices, getJson, postJson } from './api.js';
import { startProfile } from './account/profile.js';
import { startPassword } from './account/password.js';
import { loadSessions } from './account/sessions.js';

const LOGIN_PAGE = '/login.html';
const TOKEN_URL = '/api/auth/token/';
const ADMIN_ROLE = 'admin';

const loading = document.getElementById('account-loading');
const errorBox = document.getElementById('account-error');
const details = document.getElementById('account-details');
const logoutButton = document.getElementById('logout');
const statusLine = document.getElementById('account-status');

let account = null; // the body of /api/auth/me/
let choices = null; // { industries, sales_experiences }, or null when they could not be loaded
let status = null; // { key } and kind
let loggingOut = false;

// ---------------------------------------------------------------- loading

async function load() {
  loading.hidden = false;
  errorBox.hidden = true;
  // The labels are only a nicety: without them the stored values are shown.
  const choicesPromise = fetchChoices().catch(() => null);
  let response;
  let data;
  try {
    ({ response, data } = await getJson(ME_URL));
  } catch {
    response = null;
  }
  if (response?.status === 401) {
    location.replace(LOGIN_PAGE);
    return;
  }
  if (!response?.ok || !data || typeof data.username !== 'string') {
    loading.hidden = true;
    errorBox.hidden = false;
    return;
  }
  account = data;
  choices = await choicesPromise;
  loading.hidden = true;
  details.hidden = false;
  render();
  startProfile(account, choices, (profile) => {
    account = { ...account, ...profile };
    render();
  });
  startPassword(account, () => loadSessions({ clearStatus: true }));
  loadSessions();
  document.getElementById('account-admin').hidden = !(await isAdmin(data));
}

// /api/auth/me/ does not list roles (yet): the token endpoint, which only admins pass, tells.
async function isAdmin(me) {
  if (Array.isArray(me.roles)) return me.roles.includes(ADMIN_ROLE);
  try {
    const { response } = await postJson(TOKEN_URL);
    return response.ok;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- rendering

function labelFor(list, value) {
  if (value === null || value === undefined || value === '') return null;
  const choice = choices?.[list]?.find((candidate) => candidate.value === value);
  return choice ? choiceLabel(choice) : String(value);
}

function formatDate(value) {
  if (!value) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(lang() === 'ja' ? 'ja-JP' : 'en-US', {
    dateStyle: 'long',
    timeStyle: 'short',
  }).format(date);
}

function show(id, text, emptyKey = 'account.notSet') {
  const element = document.getElementById(id);
  element.textContent = text ?? t(emptyKey);
  element.classList.toggle('is-empty', text === null || text === undefined);
}

function render() {
  if (!account) return;
  show('account-username', account.username);
  show('account-email', account.email ?? null);
  show('account-verified-at', formatDate(account.email_verified_at), 'account.notVerified');
  show('account-industry', labelFor('industries', account.industry));
  show('account-sales-experience', labelFor('sales_experiences', account.sales_experience));
  const purpose = typeof account.purpose === 'string' && account.purpose.trim() !== '' ? account.purpose : null;
  show('account-purpose', purpose);
}

// ---------------------------------------------------------------- logout

function setStatus(message, kind = 'error') {
  status = message ? { ...message, kind } : null;
  statusLine.textContent = status ? t(status.key) : '';
  statusLine.classList.toggle('is-error', status?.kind === 'error');
}

function setLoggingOut(value) {
  loggingOut = value;
  logoutButton.disabled = value;
  logoutButton.setAttribute('aria-busy', String(value));
  logoutButton.textContent = t(value ? 'account.loggingOut' : 'account.logout');
}

logoutButton.addEventListener('click', async () => {
  if (loggingOut) return;
  setStatus(null);
  setLoggingOut(true);
  let response;
  try {
    ({ response } = await postJson(LOGOUT_URL));
  } catch {
    setLoggingOut(false);
    setStatus({ key: 'status.network' });
    logoutButton.focus();
    return;
  }
  // 401: the session had already ended, which is what the user wanted.
  if (response.ok || response.status === 401) {
    location.assign(LOGIN_PAGE);
    return;
  }
  setLoggingOut(false);
  setStatus({ key: 'account.logoutFailed' });
  logoutButton.focus();
});

document.getElementById('account-retry').addEventListener('click', load);

onLangChange(() => {
  render();
  setStatus(status && { key: status.key }, status?.kind);
  setLoggingOut(loggingOut);
});

load();
