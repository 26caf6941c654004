// 3. Latency (accepted and delivered, with or without the admin test sends) and 4. both services'
// outboxes.

import { t, lang } from '../i18n.js';
import { $, changed, el } from './page.js';
import { formatMs, formatNumber, formatSeconds } from './format.js';
import { live } from './state.js';
import { refresh } from './refresh.js';

// Whether the latencies leave admin test sends out: the operator's choice, kept across visits.
const EXCLUDE_TESTS_KEY = 'salesmind.dashboard.excludeTestSends';

function fillStats(list, rows) {
  list.replaceChildren(...rows.map(({ key, value, field, alert }) => {
    const row = el('div', alert ? 'stat-row is-alert' : 'stat-row');
    const term = el('dt', '', t(key));
    const data = el('dd', '', value);
    if (field) data.dataset.field = field;
    row.append(term, data);
    return row;
  }));
}

export function excludeTestSends() {
  try {
    return localStorage.getItem(EXCLUDE_TESTS_KEY) === 'true';
  } catch {
    return false;
  }
}

$('latency-exclude-tests').checked = excludeTestSends();
$('latency-exclude-tests').addEventListener('change', (event) => {
  try {
    localStorage.setItem(EXCLUDE_TESTS_KEY, String(event.target.checked));
  } catch {
    // Storage refused (private mode): the choice holds until the page is left.
  }
  refresh();
});

/** Which deliveries the latencies are over, as the server says it counted them. */
function latencyWindowText() {
  const span = live.dashboard?.latency_window;
  if (!span) return '';
  const tests = t(span.excludes_test_sends ? 'dash.latency.withoutTests' : 'dash.latency.withTests');
  return `${t('dash.latency.window', { minutes: Number(span.minutes) })} (${tests})`;
}

export function renderLatency() {
  const windowText = latencyWindowText();
  for (const kind of ['accepted', 'delivered']) {
    $(`latency-${kind}-window`).textContent = windowText;
    const latency = live.dashboard?.[kind] ?? {};
    if (!changed(`latency-${kind}`, [lang(), latency])) continue;
    fillStats($(`latency-${kind}`).querySelector('dl'), [
      { key: 'dash.latency.count', value: formatNumber(latency.count ?? 0), field: 'count' },
      { key: 'dash.latency.p50', value: formatMs(latency.p50), field: 'p50' },
      { key: 'dash.latency.p90', value: formatMs(latency.p90), field: 'p90' },
      { key: 'dash.latency.p99', value: formatMs(latency.p99), field: 'p99' },
      { key: 'dash.latency.max', value: formatMs(latency.max), field: 'max' },
    ]);
  }
}

function renderOutbox(id, state) {
  if (!changed(id, [lang(), state])) return;
  const card = $(id);
  const list = card.querySelector('dl');
  card.classList.toggle('is-unknown', !state.ok);
  if (!state.ok) {
    fillStats(list, [{ key: 'dash.outbox.state', value: t('dash.outbox.failed'), field: 'problem', alert: true }]);
    return;
  }
  const { pending, dead_lettered: dead, oldest_pending_age_seconds: oldest } = state.value;
  fillStats(list, [
    { key: 'dash.outbox.pending', value: formatNumber(pending ?? 0), field: 'pending' },
    {
      key: 'dash.outbox.dead',
      value: dead > 0 ? t('dash.outbox.deadAlert', { n: formatNumber(dead) }) : formatNumber(dead ?? 0),
      field: 'dead-lettered',
      alert: dead > 0,
    },
    {
      key: 'dash.outbox.oldest',
      value: oldest === null || oldest === undefined ? t('dash.outbox.none') : formatSeconds(oldest),
      field: 'oldest',
      alert: oldest > 60,
    },
  ]);
}

export function renderOutboxes() {
  renderOutbox('outbox-notifier', live.dashboard?.outbox ? { ok: true, value: live.dashboard.outbox } : { ok: false });
  renderOutbox('outbox-identity', live.identityOutbox ?? { ok: false });
}
