// The delivery dashboard: counts by status, per-minute and per-hour charts, latency, both services'
// outboxes, the broker's queues, the latest failures (with detail and retry), suppressions (with
// lift) and a delivery search, refreshed every few seconds from the Notifier's admin API.
//
// Like the template admin page, it trades the Identity session for a short-lived admin token
// (POST /api/auth/token/), kept in admin-session.js only and renewed before it runs out. The same
// token opens Identity's /api/admin/outbox/.
//
// The site's CSP allows no inline style: charts are SVG built with presentation attributes (x, y,
// width, height) and coloured by class, never by a style attribute.
//
// This module is the page's entry: access (signed in, an admin), the language switch and the
// start. The parts are in dashboard/:
//   page.js          the APIs' bases, the statuses, elements, builders, busy buttons, focus, redraws
//   format.js        numbers, times, durations and statuses as the page shows them
//   messages.js      status lines and how an API problem is shown
//   state.js         what was last loaded, shared by the loop and the parts that draw it
//   refresh.js       the refresh loop, its pause and the note on how fresh the numbers are
//   tiles.js         1. the status tiles and the charts' legend
//   charts.js        2. the charts by minute and by hour, and their tables
//   latency.js       3. latency (with or without test sends) and 4. both outboxes
//   queues.js        5. the broker's queues
//   failures.js      6. the latest failures, a delivery row's buttons and the retry
//   suppressions.js  7. suppressions and lifting one
//   search.js        8. the delivery search
//   detail.js        a delivery's detail in a dialog
// The parts call each other only from event handlers and API answers, never while loading, so
// the imports between them may go both ways.

import { t, onLangChange } from './i18n.js';
import { ME_URL, getJson } from './api.js';
import { AccessLost, forgetToken, renewToken, whenAccessLost } from './admin-session.js';
import { $ } from './dashboard/page.js';
import { StatusLine } from './dashboard/messages.js';
import { live } from './dashboard/state.js';
import { announce, refresh, refreshFailed, renderLive, renderRefreshNote, stopRefresh } from './dashboard/refresh.js';
import { renderLegend } from './dashboard/tiles.js';
import { renderResults, renderSearchStatuses } from './dashboard/search.js';
import { renderDetail } from './dashboard/detail.js';

const LOGIN_PAGE = `/login.html?next=${encodeURIComponent('/dashboard.html')}`;

// ---------------------------------------------------------------- access

function showAccess(state) {
  $('admin-loading').hidden = state !== 'loading';
  $('access-signed-out').hidden = state !== 'signedOut';
  $('access-forbidden').hidden = state !== 'forbidden';
  $('access-error').hidden = state !== 'error';
  $('dashboard-app').hidden = state !== 'ready';
}

function accessFailed(error) {
  live.accessLost = true;
  forgetToken();
  stopRefresh();
  if ($('detail').open) $('detail').close();
  showAccess(error instanceof AccessLost ? error.reason : 'error');
}

whenAccessLost(accessFailed);

let signedInAs = null;

function renderSignedIn() {
  const line = $('admin-signed-in');
  line.hidden = !signedInAs;
  line.textContent = signedInAs ? t('admin.signedInAs', { username: signedInAs }) : '';
}

async function start() {
  showAccess('loading');
  live.accessLost = false;
  try {
    await renewToken();
  } catch (error) {
    accessFailed(error);
    return;
  }
  getJson(ME_URL).then(({ response, data }) => {
    if (response.ok && typeof data?.username === 'string') {
      signedInAs = data.username;
      renderSignedIn();
    }
  }).catch(() => {});
  await refresh();
  if (!live.accessLost) showAccess('ready');
}

// ---------------------------------------------------------------- language switch

function translateAttributes() {
  $('access-login').href = LOGIN_PAGE;
  renderLegend();
  renderSearchStatuses();
}

onLangChange(() => {
  translateAttributes();
  for (const line of StatusLine.all) line.render();
  renderSignedIn();
  renderRefreshNote();
  if (live.dashboard) renderLive();
  renderResults();
  renderDetail();
  if (refreshFailed) announce('dash.announce.failing');
});

$('access-retry').addEventListener('click', start);

translateAttributes();
renderRefreshNote();
start();
