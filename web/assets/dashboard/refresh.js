// The refresh loop: everything live is loaded one refresh at a time, the next one REFRESH_MS after
// this one ends, paused by the operator or while the tab is hidden, and the note that says how
// fresh the numbers are.

import { t } from '../i18n.js';
import { hasToken } from '../admin-session.js';
import { $, IDENTITY, NOTIFIER, api } from './page.js';
import { formatClock } from './format.js';
import { live } from './state.js';
import { renderTiles, suppressedAddresses } from './tiles.js';
import { renderCharts } from './charts.js';
import { excludeTestSends, renderLatency, renderOutboxes } from './latency.js';
import { renderQueues } from './queues.js';
import { renderFailures } from './failures.js';
import { loadSuppressions, renderSuppressions } from './suppressions.js';

const REFRESH_MS = 3000;
// The dashboard answer carries the count of suppressed addresses; the list itself is fetched when the count
// changes, and every tenth refresh in case one came and one went between two refreshes.
const SUPPRESSIONS_EVERY = 10;

let refreshTimer = null;
let refreshing = false;
let refreshAgain = false;
let refreshCount = 0;
let pausedByUser = false;
export let refreshFailed = false;

/** Stops the next refresh (the access is lost). */
export function stopRefresh() {
  clearTimeout(refreshTimer);
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = null;
  if (pausedByUser || document.hidden || live.accessLost) return;
  refreshTimer = setTimeout(refresh, REFRESH_MS);
}

/** Loads everything live; one at a time, the next one REFRESH_MS after this one ends. */
export async function refresh() {
  clearTimeout(refreshTimer);
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    await loadLive();
  } finally {
    refreshing = false;
    if (refreshAgain) {
      refreshAgain = false;
      refresh();
    } else {
      scheduleRefresh();
    }
  }
}

async function loadLive() {
  const [board, outbox] = await Promise.all([
    api('GET', `${NOTIFIER}/dashboard${excludeTestSends() ? '?exclude_test_sends=true' : ''}`),
    api('GET', `${IDENTITY}/outbox/`),
  ]);
  if (live.accessLost) return;
  if (board.failed || !board.response.ok || !Array.isArray(board.data?.statuses)) {
    setRefreshFailed(true);
    return;
  }
  live.dashboard = board.data;
  live.identityOutbox = !outbox.failed && outbox.response.ok && outbox.data ? { ok: true, value: outbox.data } : { ok: false };
  refreshCount += 1;
  if (live.suppressions === null || live.suppressions.length !== suppressedAddresses() || refreshCount % SUPPRESSIONS_EVERY === 0) {
    await loadSuppressions();
  }
  setRefreshFailed(false);
  renderLive();
}

function setRefreshFailed(failed) {
  if (failed !== refreshFailed) announce(failed ? 'dash.announce.failing' : 'dash.announce.recovered');
  refreshFailed = failed;
  renderRefreshNote();
}

export function announce(key) {
  $('refresh-announce').textContent = t(key);
}

export function renderRefreshNote() {
  const note = $('refresh-note');
  const time = live.dashboard ? formatClock(live.dashboard.generated_at) : '';
  let state;
  let text;
  if (pausedByUser) {
    state = 'paused';
    text = t('dash.refresh.paused', { time });
  } else if (document.hidden) {
    state = 'paused';
    text = t('dash.refresh.hidden', { time });
  } else if (refreshFailed) {
    state = 'failing';
    text = live.dashboard ? t('dash.refresh.failed', { time }) : t('dash.refresh.failedFirst');
  } else {
    state = live.dashboard ? 'live' : 'loading';
    text = live.dashboard ? t('dash.refresh.updated', { time }) : t('admin.loading');
  }
  note.dataset.state = state;
  const span = $('refresh-text');
  if (live.dashboard) {
    span.dataset.generatedAt = live.dashboard.generated_at;
  }
  span.textContent = text;
  const toggle = $('refresh-toggle');
  toggle.setAttribute('aria-pressed', String(pausedByUser));
  toggle.textContent = t(pausedByUser ? 'dash.resume' : 'dash.pause');
}

$('refresh-toggle').addEventListener('click', () => {
  pausedByUser = !pausedByUser;
  renderRefreshNote();
  if (pausedByUser) clearTimeout(refreshTimer);
  else refresh();
});

document.addEventListener('visibilitychange', () => {
  renderRefreshNote();
  if (document.hidden) clearTimeout(refreshTimer);
  else if (!pausedByUser && !live.accessLost && hasToken()) refresh();
});

export function renderLive() {
  renderRefreshNote();
  renderTiles();
  renderCharts();
  renderLatency();
  renderOutboxes();
  renderQueues();
  renderFailures();
  renderSuppressions();
}
