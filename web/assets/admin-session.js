// The admin pages' access to the admin APIs: the signed-in session is turned into a short-lived
// bearer token (POST /api/auth/token/, kept in memory only), renewed before it lapses, and sent
// with every call. Used by admin.html, dashboard.html and users.html, which all start with
// startAdminPage().
import { t, onLangChange } from './i18n.js';
import { ME_URL, getJson, postJson, readJson } from './api.js';

const TOKEN_URL = '/api/auth/token/';
const ACCEPT = 'application/json, application/problem+json';

/** The session is gone ('signedOut'), the user is no admin ('forbidden'), or tokens are refused ('error'). */
export class AccessLost extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}

let token = null;
let tokenExpiresAt = 0;
let tokenRequest = null;
let renewTimer = null;
let onAccessLost = () => {};

/** Who hears about a lost access (the page replaces itself with the reason). */
export function whenAccessLost(listener) {
  onAccessLost = listener;
}

async function requestToken() {
  const { response, data } = await postJson(TOKEN_URL);
  if (response.status === 401) throw new AccessLost('signedOut');
  if (response.status === 403) throw new AccessLost('forbidden');
  const value = data?.access_token ?? data?.token;
  if (!response.ok || typeof value !== 'string') throw new Error(`token: HTTP ${response.status}`);
  token = value;
  const seconds = Number(data.expires_in) > 0 ? Number(data.expires_in) : 300;
  tokenExpiresAt = Date.now() + seconds * 1000;
  clearTimeout(renewTimer);
  // A minute early (sooner for a short-lived token), so no call leaves with a token about to lapse.
  const renewIn = Math.max(5, Math.min(seconds - 60, seconds * 0.8));
  renewTimer = setTimeout(() => renewToken().catch((error) => {
    // A network blip is retried by the next call; a session that ended is shown now.
    if (error instanceof AccessLost) onAccessLost(error);
  }), renewIn * 1000);
}

/** A fresh token; one request at a time, however many calls need it. */
export function renewToken() {
  tokenRequest ??= requestToken().finally(() => {
    tokenRequest = null;
  });
  return tokenRequest;
}

async function send(method, url, body) {
  const headers = { Accept: ACCEPT, Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    credentials: 'omit',
    cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { response, data: await readJson(response) };
}

/**
 * A call with the admin token. Resolves to { response, data }, or to { failed: 'network' } (the
 * caller says so) or { failed: 'access' } (the whole page already says so).
 */
export async function adminCall(method, url, body) {
  try {
    if (!token || Date.now() > tokenExpiresAt - 30_000) await renewToken();
    let result = await send(method, url, body);
    if (result.response.status === 401) {
      // Expired while the tab slept, or the signing key changed: one new token, one retry.
      await renewToken();
      result = await send(method, url, body);
    }
    // A fresh token refused: the service does not trust Identity's tokens (a key mismatch).
    if (result.response.status === 401) throw new AccessLost('error');
    if (result.response.status === 403) throw new AccessLost('forbidden');
    return result;
  } catch (error) {
    if (error instanceof AccessLost) {
      onAccessLost(error);
      return { failed: 'access' };
    }
    return { failed: 'network' };
  }
}

/** Drops the token and stops renewing it (access is lost; a new start asks again). */
export function forgetToken() {
  clearTimeout(renewTimer);
  token = null;
}

export function hasToken() {
  return token !== null;
}

/**
 * Starts an admin page: trades the session for a token, shows which access state the page is in
 * (#admin-loading, #access-signed-out, #access-forbidden, #access-error, or the page's `appId`),
 * says who is signed in (#admin-signed-in), points #access-login back at `page` and lets
 * #access-retry start again.
 *   onStart()       runs at every (re)start, before the token is asked for
 *   onLost()        stops the page's own work when access is lost (the page then says why)
 *   load()          loads the page's data once there is a token
 *   readyAfterLoad  show the page only once loaded (and only if access was not lost meanwhile),
 *                   instead of as soon as there is a token
 */
export function startAdminPage({ page, appId, load, onStart = () => {}, onLost = () => {}, readyAfterLoad = false }) {
  const $ = (id) => document.getElementById(id);
  const loginPage = `/login.html?next=${encodeURIComponent(page)}`;
  let signedInAs = null;
  let lost = false;

  function showAccess(state) {
    $('admin-loading').hidden = state !== 'loading';
    $('access-signed-out').hidden = state !== 'signedOut';
    $('access-forbidden').hidden = state !== 'forbidden';
    $('access-error').hidden = state !== 'error';
    $(appId).hidden = state !== 'ready';
  }

  function accessFailed(error) {
    lost = true;
    forgetToken();
    onLost();
    showAccess(error instanceof AccessLost ? error.reason : 'error');
  }

  function renderSignedIn() {
    const line = $('admin-signed-in');
    line.hidden = !signedInAs;
    line.textContent = signedInAs ? t('admin.signedInAs', { username: signedInAs }) : '';
  }

  async function start() {
    showAccess('loading');
    lost = false;
    onStart();
    try {
      await renewToken();
    } catch (error) {
      accessFailed(error);
      return;
    }
    if (!readyAfterLoad) showAccess('ready');
    getJson(ME_URL).then(({ response, data }) => {
      if (response.ok && typeof data?.username === 'string') {
        signedInAs = data.username;
        renderSignedIn();
      }
    }).catch(() => {});
    await load();
    if (readyAfterLoad && !lost) showAccess('ready');
  }

  whenAccessLost(accessFailed);
  onLangChange(() => {
    $('access-login').href = loginPage;
    renderSignedIn();
  });
  $('access-retry').addEventListener('click', start);
  $('access-login').href = loginPage;
  start();
}
