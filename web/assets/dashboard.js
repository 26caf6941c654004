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
// This module is the page's entry: the language switch and the start (access, signed in and an
// admin: startAdminPage() in admin-session.js). The parts are in dashboard/:
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
//   failure-class.js the class of a failure (hard, soft, throttled, auth, unknown) as a badge
// The parts call each other only from event handlers and API answers, never while loading, so
// the imports between them may go both ways.

import { onLangChange } from './i18n.js';
import { startAdminPage } from './admin-session.js';
import { $ } from './dashboard/page.js';
import { StatusLine } from './dashboard/messages.js';
import { live } from './dashboard/state.js';
import { announce, refresh, refreshFailed, renderLive, renderRefreshNote, stopRefresh } from './dashboard/refresh.js';
import { renderLegend } from './dashboard/tiles.js';
import { renderResults, renderSearchStatuses } from './dashboard/search.js';
import { renderDetail } from './dashboard/detail.js';

// ---------------------------------------------------------------- language switch

function translateAttributes() {
  renderLegend();
  renderSearchStatuses();
}

onLangChange(() => {
  translateAttributes();
  for (const line of StatusLine.all) line.render();
  renderRefreshNote();
  if (live.dashboard) renderLive();
  renderResults();
  renderDetail();
  if (refreshFailed) announce('dash.announce.failing');
});

// ---------------------------------------------------------------- access and start

translateAttributes();
renderRefreshNote();
// The page is shown once the first numbers are in (and only if access held meanwhile).
startAdminPage({
  page: '/dashboard.html',
  appId: 'dashboard-app',
  readyAfterLoad: true,
  onStart: () => {
    live.accessLost = false;
  },
  onLost: () => {
    live.accessLost = true;
    stopRefresh();
    if ($('detail').open) $('detail').close();
  },
  load: refresh,
});
