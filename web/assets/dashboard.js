// The delivery dashboard: counts by status, per-minute and per-hour charts, latency, both services'
// outboxes, the broker's queues, the latest failures (with detail and retry), suppressions (with
// lift) and a delivery search, refreshed every few seconds from the Notifier's admin API.
//
// Like the template admin page, it trades the Identity session for a short-lived admin token
// (POST /api/auth/token/), kept in this module only and renewed before it runs out. The same token
// opens Identity's /api/admin/outbox/.
//
// The site's CSP allows no inline style: charts are SVG built with presentation attributes (x, y,
// width, height) and coloured by class, never by a style attribute.

import { t, lang, onLangChange } from './i18n.js';
import { ME_URL, getJson } from './api.js';
import { AccessLost, adminCall, forgetToken, hasToken, renewToken, whenAccessLost } from './admin-session.js';

const NOTIFIER = '/notifier/api/admin';
const IDENTITY = '/api/admin';
const LOGIN_PAGE = `/login.html?next=${encodeURIComponent('/dashboard.html')}`;

const REFRESH_MS = 3000;
// The dashboard answer carries the count of suppressed addresses; the list itself is fetched when the count
// changes, and every tenth refresh in case one came and one went between two refreshes.
const SUPPRESSIONS_EVERY = 10;
const PAGE_SIZE = 25;
// Whether the latencies leave admin test sends out: the operator's choice, kept across visits.
const EXCLUDE_TESTS_KEY = 'salesmind.dashboard.excludeTestSends';

/** Every status, in the order of the tiles, the legend and the bars' stacks (bottom up). */
const STATUSES = ['delivered', 'sent', 'sending', 'queued', 'deferred', 'bounced', 'failed', 'abandoned', 'suppressed'];
const ALERT_STATUSES = new Set(['bounced', 'failed']);
const RETRYABLE = new Set(['failed', 'abandoned', 'bounced']);

const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;
const SVG_NS = 'http://www.w3.org/2000/svg';

// ---------------------------------------------------------------- small helpers

function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

function svg(tag, attributes = {}) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

function locale() {
  return lang() === 'ja' ? 'ja-JP' : 'en-US';
}

function formatNumber(value, digits = 0) {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}

function formatClock(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(date);
}

function formatDate(value) {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale(), {
    month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(date);
}

function formatHourMinute(ms) {
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(ms));
}

/** A duration in seconds, in the largest two units that matter ("5 min 27 s", "2 h 5 min"). */
function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  if (s < 60) return t('dash.duration.s', { s });
  if (s < 3600) return t('dash.duration.min', { m: Math.floor(s / 60), s: s % 60 });
  if (s < 86400) return t('dash.duration.h', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return t('dash.duration.d', { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600) });
}

/** Milliseconds as ms under a second, seconds with decimals under a minute, then as formatSeconds. */
function formatMs(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return t('dash.duration.ms', { n: formatNumber(Math.round(ms)) });
  if (ms < 60_000) return t('dash.duration.sDecimal', { n: formatNumber(ms / 1000, ms < 10_000 ? 2 : 1) });
  return formatSeconds(ms / 1000);
}

function statusName(status) {
  const key = `dash.status.${status}`;
  const text = t(key);
  return text === key ? status : text;
}

function statusBadge(status) {
  const badge = el('span', `status-badge st-${status}`);
  badge.append(el('span', 'swatch', ''), statusName(status));
  if (ALERT_STATUSES.has(status)) badge.classList.add('is-alert');
  return badge;
}

/**
 * Marks a button busy without disabling it: a disabled button drops the keyboard focus, and the
 * person would have to find their place again after every click.
 */
function setBusy(button, busy) {
  button.setAttribute('aria-busy', String(busy));
  button.setAttribute('aria-disabled', String(busy));
}

function isBusy(button) {
  return button.getAttribute('aria-busy') === 'true';
}

function sum(counts) {
  return Object.values(counts ?? {}).reduce((total, n) => total + (Number(n) || 0), 0);
}

/** A line of feedback that keeps its message (a key and params, or a server's text) across language switches. */
class StatusLine {
  static all = [];

  constructor(element) {
    this.element = element;
    this.message = null;
    StatusLine.all.push(this);
  }

  set(message, kind = 'error') {
    this.message = message ? { ...message, kind } : null;
    this.render();
  }

  render() {
    const m = this.message;
    this.element.textContent = m ? (m.text ?? t(m.key, m.params)) : '';
    for (const kind of ['error', 'info', 'success']) this.element.classList.toggle(`is-${kind}`, m?.kind === kind);
  }
}

const lines = {
  failures: new StatusLine($('failures-status')),
  suppressions: new StatusLine($('suppressions-status')),
  search: new StatusLine($('search-status-line')),
  detail: new StatusLine($('detail-status')),
};

function problemText(problem) {
  const texts = Object.values(problem?.errors ?? {}).flat().filter((m) => typeof m === 'string');
  if (texts.length === 0 && typeof problem?.detail === 'string') texts.push(problem.detail);
  return texts.length > 0 ? { text: texts.join(' ') } : null;
}

/**
 * Rebuilds `container` with `render`, putting the focus back on the control with the same
 * data-focus-key: a refresh every few seconds must not throw a keyboard user out of a table.
 */
function keepFocus(container, render) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.focusKey : undefined;
  render();
  if (key) container.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}

/** What each part last drew, so an unchanged part is left alone (no flicker, no lost focus). */
const drawn = new Map();

function changed(part, value) {
  const key = JSON.stringify(value);
  if (drawn.get(part) === key) return false;
  drawn.set(part, key);
  return true;
}

// ---------------------------------------------------------------- token and API calls

const api = adminCall;

function reportFailure(result, line, fallbackKey = 'admin.generic') {
  if (result.failed === 'access') return;
  if (result.failed === 'network') {
    line.set({ key: 'status.network' });
    return;
  }
  line.set(problemText(result.data) ?? { key: fallbackKey });
}

// ---------------------------------------------------------------- access

let accessLost = false;

function showAccess(state) {
  $('admin-loading').hidden = state !== 'loading';
  $('access-signed-out').hidden = state !== 'signedOut';
  $('access-forbidden').hidden = state !== 'forbidden';
  $('access-error').hidden = state !== 'error';
  $('dashboard-app').hidden = state !== 'ready';
}

function accessFailed(error) {
  accessLost = true;
  forgetToken();
  clearTimeout(refreshTimer);
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
  accessLost = false;
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
  if (!accessLost) showAccess('ready');
}

// ---------------------------------------------------------------- the refresh loop

let dashboard = null; // the last answer of /dashboard
let identityOutbox = null; // { ok: true, value } or { ok: false }
let suppressions = null; // the last list, or null before the first
let refreshTimer = null;
let refreshing = false;
let refreshAgain = false;
let refreshCount = 0;
let pausedByUser = false;
let refreshFailed = false;

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = null;
  if (pausedByUser || document.hidden || accessLost) return;
  refreshTimer = setTimeout(refresh, REFRESH_MS);
}

/** Loads everything live; one at a time, the next one REFRESH_MS after this one ends. */
async function refresh() {
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
  if (accessLost) return;
  if (board.failed || !board.response.ok || !Array.isArray(board.data?.statuses)) {
    setRefreshFailed(true);
    return;
  }
  dashboard = board.data;
  identityOutbox = !outbox.failed && outbox.response.ok && outbox.data ? { ok: true, value: outbox.data } : { ok: false };
  refreshCount += 1;
  if (suppressions === null || suppressions.length !== suppressedAddresses() || refreshCount % SUPPRESSIONS_EVERY === 0) {
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

function announce(key) {
  $('refresh-announce').textContent = t(key);
}

function renderRefreshNote() {
  const note = $('refresh-note');
  const time = dashboard ? formatClock(dashboard.generated_at) : '';
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
    text = dashboard ? t('dash.refresh.failed', { time }) : t('dash.refresh.failedFirst');
  } else {
    state = dashboard ? 'live' : 'loading';
    text = dashboard ? t('dash.refresh.updated', { time }) : t('admin.loading');
  }
  note.dataset.state = state;
  const span = $('refresh-text');
  if (dashboard) {
    span.dataset.generatedAt = dashboard.generated_at;
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
  else if (!pausedByUser && !accessLost && hasToken()) refresh();
});

function renderLive() {
  renderRefreshNote();
  renderTiles();
  renderCharts();
  renderLatency();
  renderOutboxes();
  renderQueues();
  renderFailures();
  renderSuppressions();
}

// ---------------------------------------------------------------- 1. status tiles

function statusCounts() {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, { hour: 0, day: 0 }]));
  for (const row of dashboard?.statuses ?? []) {
    counts[row.status] = { hour: Number(row.last_hour) || 0, day: Number(row.last_day) || 0 };
  }
  return counts;
}

/** The addresses suppressed now: what the suppressed tile and the suppression list both count. */
function suppressedAddresses() {
  return Number(dashboard?.suppressed?.addresses) || 0;
}

/**
 * The suppressed tile counts addresses, as the list below does, not deliveries: the deliveries
 * held back because of a suppression are a second, labelled line.
 */
function suppressedTile(item, { hour: statusHour, day }) {
  const addresses = suppressedAddresses();
  // The answer names the last hour's held-back emails beside the addresses; the status counts
  // (the same figure) are the fallback.
  const hour = Number(dashboard?.suppressed?.deliveries_last_hour ?? statusHour) || 0;
  const count = el('p', 'tile-count');
  const number = el('span', 'tile-hour tile-addresses', formatNumber(addresses));
  number.dataset.value = String(addresses);
  count.append(number);
  const more = el('p', 'tile-more');
  const held = el('span', 'tile-held', t('dash.tiles.heldBack', { n: formatNumber(hour) }));
  held.dataset.value = String(hour);
  const dayPart = el('span', 'tile-day', t('dash.tiles.heldBackDay', { n: formatNumber(day) }));
  dayPart.dataset.value = String(day);
  more.append(held, dayPart);
  item.append(count, el('p', 'tile-unit', t('dash.tiles.suppressedNow')), more);
}

function renderTiles() {
  const counts = statusCounts();
  if (!changed('tiles', [lang(), counts, dashboard?.suppressed])) return;
  const known = [...STATUSES, ...Object.keys(counts).filter((s) => !STATUSES.includes(s))];
  $('tiles').replaceChildren(...known.map((status) => {
    const { hour, day } = counts[status];
    const alert = ALERT_STATUSES.has(status);
    const item = el('li', `tile st-${status}`);
    item.dataset.status = status;
    if (alert) item.classList.add('tile-watch');
    if (alert && hour > 0) item.classList.add('is-alert');

    const name = el('p', 'tile-name');
    name.append(el('span', 'swatch', ''), statusName(status));
    if (status === 'suppressed') {
      item.append(name);
      suppressedTile(item, counts[status]);
      return item;
    }

    const count = el('p', 'tile-count');
    const number = el('span', 'tile-hour', formatNumber(hour));
    number.dataset.value = String(hour);
    count.append(number);
    if (alert && hour > 0) count.append(' ', el('span', 'tile-flag', t('dash.tiles.attention')));
    const unit = el('p', 'tile-unit', t('dash.tiles.hour'));

    const more = el('p', 'tile-more');
    const dayPart = el('span', 'tile-day', t('dash.tiles.day', { n: formatNumber(day) }));
    dayPart.dataset.value = String(day);
    const rate = hour / 60;
    const ratePart = el('span', 'tile-rate', t('dash.tiles.rate', { n: formatNumber(rate, rate > 0 && rate < 1 ? 2 : 1) }));
    more.append(dayPart, ratePart);

    item.append(name, count, unit, more);
    return item;
  }));
}

function renderLegend() {
  $('legend').setAttribute('aria-label', t('dash.charts.legend'));
  $('legend').replaceChildren(...STATUSES.map((status) => {
    const item = el('li', `legend-item st-${status}`);
    item.append(el('span', 'swatch', ''), statusName(status));
    return item;
  }));
}

// ---------------------------------------------------------------- 2. charts

const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * The answer lists only the buckets that have deliveries: every slot of the window, oldest first,
 * with the counts of the bucket that starts there (none for an empty one). The window is
 * "created after now minus the period", so its oldest bucket is the one a full period before now's.
 */
function slotsOf(buckets, generatedAt, step, periods) {
  const last = Math.floor(Date.parse(generatedAt) / step) * step;
  const first = last - periods * step;
  const slots = [];
  for (let start = first; start <= last; start += step) slots.push({ start, counts: {} });
  for (const bucket of buckets ?? []) {
    const index = (Date.parse(bucket.start) - first) / step;
    if (Number.isInteger(index) && index >= 0 && index < slots.length) slots[index].counts = bucket.counts ?? {};
  }
  return slots;
}

/** A round top for the y axis and its step: 1, 2 or 5 times a power of ten, at most four steps. */
function niceScale(max) {
  if (max <= 4) return { top: Math.max(1, max), step: 1 };
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
  return { top: Math.ceil(max / step) * step, step };
}

function slotTitle(slot, step) {
  const time = step === MINUTE ? formatHourMinute(slot.start) : t('dash.charts.hourRange', {
    from: formatHourMinute(slot.start), to: formatHourMinute(slot.start + step),
  });
  const parts = STATUSES.filter((s) => slot.counts[s] > 0).map((s) => `${statusName(s)} ${formatNumber(slot.counts[s])}`);
  return parts.length > 0 ? `${time}: ${parts.join(', ')}` : `${time}: ${t('dash.charts.none')}`;
}

function chartSummary(slots) {
  const totals = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const slot of slots) for (const [s, n] of Object.entries(slot.counts)) totals[s] = (totals[s] ?? 0) + n;
  const all = sum(totals);
  if (all === 0) return t('dash.charts.empty');
  const parts = STATUSES.filter((s) => totals[s] > 0).map((s) => `${statusName(s)} ${formatNumber(totals[s])}`).join(', ');
  const peak = slots.reduce((best, slot) => (sum(slot.counts) > sum(best.counts) ? slot : best), slots[0]);
  return t('dash.charts.summary', {
    total: formatNumber(all), parts, peak: formatNumber(sum(peak.counts)), at: formatHourMinute(peak.start),
  });
}

function drawChart(id, slots, step, labelChoices) {
  const box = $(id);
  const width = Math.max(280, Math.floor(box.clientWidth || 600));
  const height = 190;
  const margin = { top: 8, right: 6, bottom: 24, left: 44 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const maxTotal = Math.max(0, ...slots.map((s) => sum(s.counts)));
  const { top, step: tick } = niceScale(maxTotal);
  const column = plotWidth / slots.length;
  const barWidth = Math.max(1, column * (column > 6 ? 0.75 : 0.9));
  const y = (value) => margin.top + plotHeight - (value / top) * plotHeight;

  const root = svg('svg', {
    width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart-svg',
    'aria-labelledby': `${id}-title ${id}-desc`,
  });
  const title = svg('title', { id: `${id}-title` });
  title.textContent = t(step === MINUTE ? 'dash.charts.minute' : 'dash.charts.hour');
  const desc = svg('desc', { id: `${id}-desc` });
  desc.textContent = chartSummary(slots);
  root.append(title, desc);

  const grid = svg('g', { class: 'chart-grid', 'aria-hidden': 'true' });
  for (let value = 0; value <= top; value += tick) {
    const lineY = Math.round(y(value)) + 0.5;
    grid.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: lineY, y2: lineY, class: value === 0 ? 'axis-line' : 'grid-line' }));
    const label = svg('text', { x: margin.left - 6, y: lineY + 4, 'text-anchor': 'end', class: 'axis-label' });
    label.textContent = formatNumber(value);
    grid.append(label);
  }
  root.append(grid);

  // Label every n-th slot, n the first choice that leaves room for a label (about 44 px).
  const every = labelChoices.find((n) => n * column >= 44) ?? labelChoices[labelChoices.length - 1];
  const labels = svg('g', { class: 'chart-x', 'aria-hidden': 'true' });
  const bars = svg('g', { class: 'chart-bars', 'aria-hidden': 'true' });
  slots.forEach((slot, index) => {
    const x = margin.left + index * column + (column - barWidth) / 2;
    const group = svg('g', { class: 'chart-slot' });
    const tip = svg('title');
    tip.textContent = slotTitle(slot, step);
    // A transparent column to hover, so a tiny or empty bar still shows its numbers.
    group.append(tip, svg('rect', { x: margin.left + index * column, y: margin.top, width: column, height: plotHeight, class: 'bar-hit' }));
    let base = 0;
    for (const status of STATUSES) {
      const n = Number(slot.counts[status]) || 0;
      if (n <= 0) continue;
      const y0 = y(base);
      const y1 = y(base + n);
      // At least 2 px: one bounce beside hundreds of deliveries must still show.
      group.append(svg('rect', { x, y: Math.min(y1, y0 - 2), width: barWidth, height: Math.max(2, y0 - y1), class: `bar st-${status}` }));
      base += n;
    }
    for (const status of Object.keys(slot.counts).filter((s) => !STATUSES.includes(s))) {
      const n = Number(slot.counts[status]) || 0;
      if (n <= 0) continue;
      group.append(svg('rect', { x, y: y(base + n), width: barWidth, height: Math.max(1, y(base) - y(base + n)), class: 'bar st-other' }));
      base += n;
    }
    bars.append(group);

    const minutes = new Date(slot.start).getMinutes();
    const hours = new Date(slot.start).getHours();
    const onMark = step === MINUTE ? minutes % every === 0 : minutes === 0 && hours % every === 0;
    if (onMark && index > 0) {
      const centre = margin.left + index * column + column / 2;
      labels.append(svg('line', { x1: centre, x2: centre, y1: margin.top + plotHeight, y2: margin.top + plotHeight + 4, class: 'axis-line' }));
      const label = svg('text', { x: centre, y: height - 6, 'text-anchor': 'middle', class: 'axis-label' });
      label.textContent = formatHourMinute(slot.start);
      labels.append(label);
    }
  });
  root.append(bars, labels);
  box.replaceChildren(root);
}

/** The same numbers as a table: the buckets that have deliveries, newest first. */
function drawChartTable(id, slots, step) {
  const shown = slots.filter((slot) => sum(slot.counts) > 0).reverse();
  const present = STATUSES.filter((s) => shown.some((slot) => slot.counts[s] > 0));
  const table = $(id);
  const head = el('thead');
  const headRow = el('tr');
  headRow.append(el('th', '', t('dash.charts.time')));
  for (const status of present) headRow.append(el('th', 'num', statusName(status)));
  headRow.append(el('th', 'num', t('dash.charts.total')));
  for (const cell of headRow.children) cell.scope = 'col';
  head.append(headRow);
  const body = el('tbody');
  if (shown.length === 0) {
    const row = el('tr');
    const cell = el('td', 'is-empty', t('dash.charts.empty'));
    cell.colSpan = present.length + 2;
    row.append(cell);
    body.append(row);
  }
  for (const slot of shown) {
    const row = el('tr');
    const time = el('th', '', step === MINUTE ? formatHourMinute(slot.start)
      : t('dash.charts.hourRange', { from: formatHourMinute(slot.start), to: formatHourMinute(slot.start + step) }));
    time.scope = 'row';
    row.append(time);
    for (const status of present) row.append(el('td', 'num', formatNumber(slot.counts[status] ?? 0)));
    row.append(el('td', 'num', formatNumber(sum(slot.counts))));
    body.append(row);
  }
  table.replaceChildren(head, body);
}

function renderCharts() {
  if (!dashboard) return;
  const minuteSlots = slotsOf(dashboard.last_hour_by_minute, dashboard.generated_at, MINUTE, 60);
  const hourSlots = slotsOf(dashboard.last_day_by_hour, dashboard.generated_at, HOUR, 24);
  const width = $('chart-minute').clientWidth;
  if (!changed('charts', [lang(), width, minuteSlots, hourSlots])) return;
  drawChart('chart-minute', minuteSlots, MINUTE, [5, 10, 15, 20, 30]);
  drawChart('chart-hour', hourSlots, HOUR, [1, 2, 3, 4, 6, 12]);
  drawChartTable('chart-minute-table', minuteSlots, MINUTE);
  drawChartTable('chart-hour-table', hourSlots, HOUR);
}

// Charts are drawn at the size they are shown, so their text stays readable on a phone.
let resizeFrame = 0;
new ResizeObserver(() => {
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(renderCharts);
}).observe($('chart-minute'));

// ---------------------------------------------------------------- 3. latency, 4. outboxes

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

function excludeTestSends() {
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
  const span = dashboard?.latency_window;
  if (!span) return '';
  const tests = t(span.excludes_test_sends ? 'dash.latency.withoutTests' : 'dash.latency.withTests');
  return `${t('dash.latency.window', { minutes: Number(span.minutes) })} (${tests})`;
}

function renderLatency() {
  const windowText = latencyWindowText();
  for (const kind of ['accepted', 'delivered']) {
    $(`latency-${kind}-window`).textContent = windowText;
    const latency = dashboard?.[kind] ?? {};
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

function renderOutboxes() {
  renderOutbox('outbox-notifier', dashboard?.outbox ? { ok: true, value: dashboard.outbox } : { ok: false });
  renderOutbox('outbox-identity', identityOutbox ?? { ok: false });
}

// ---------------------------------------------------------------- 5. queues

function renderQueues() {
  const queues = dashboard?.queues ?? null;
  const problem = dashboard?.queues_problem ?? null;
  if (!changed('queues', [lang(), queues, problem])) return;
  const notice = $('queues-problem');
  notice.hidden = queues !== null && !problem;
  notice.textContent = queues === null || problem ? t('dash.queues.problem', { problem: problem ?? '—' }) : '';
  const body = $('queues').tBodies[0];
  if (!queues || queues.length === 0) {
    const row = el('tr');
    const cell = el('td', 'is-empty', t(queues ? 'dash.queues.empty' : 'dash.queues.unknown'));
    cell.colSpan = 4;
    row.append(cell);
    body.replaceChildren(row);
    return;
  }
  body.replaceChildren(...queues.map((queue) => {
    const row = el('tr');
    row.dataset.queue = queue.name;
    const name = el('td', 'queue-name');
    name.append(el('code', '', queue.name));
    if (queue.is_error_queue) name.append(' ', el('span', 'badge', t('dash.queues.errorQueue')));
    if (queue.is_dead_letter_queue) name.append(' ', el('span', 'badge', t('dash.queues.deadLetterQueue')));
    // The server says which queues a service reads; a parking queue without a consumer is normal.
    const expectsConsumer = queue.expects_consumer ?? !queue.is_error_queue;
    let state = { key: 'dash.queues.ok', kind: 'ok' };
    if (queue.is_error_queue && queue.messages > 0) state = { key: 'dash.queues.errorWaiting', kind: 'alert' };
    else if (queue.is_dead_letter_queue && queue.messages > 0) state = { key: 'dash.queues.deadLettersWaiting', kind: 'warn' };
    else if (expectsConsumer && queue.consumers === 0) state = { key: 'dash.queues.noConsumer', kind: 'warn' };
    if (state.kind === 'alert') row.classList.add('is-alert');
    if (state.kind === 'warn') row.classList.add('is-warn');
    row.append(
      name,
      el('td', 'num', formatNumber(queue.messages)),
      el('td', 'num', formatNumber(queue.consumers)),
      el('td', `queue-state is-${state.kind}`, t(state.key)),
    );
    return row;
  }));
}

// ---------------------------------------------------------------- 6. latest failures, retry

function actionButton(textKey, labelKey, params, focusKey, onClick, extraClass = '') {
  const button = el('button', `btn btn-secondary btn-small ${extraClass}`.trim(), t(textKey));
  button.type = 'button';
  button.setAttribute('aria-label', t(labelKey, params));
  button.dataset.focusKey = focusKey;
  button.addEventListener('click', () => onClick(button));
  return button;
}

function deliveryActions(delivery, prefix, line) {
  const actions = el('div', 'row-actions');
  actions.append(actionButton('dash.details', 'dash.detailsLabel', { recipient: delivery.recipient },
    `${prefix}detail:${delivery.id}`, (button) => openDetail(delivery.id, button), 'delivery-detail'));
  if (RETRYABLE.has(delivery.status)) {
    actions.append(actionButton('dash.retry', 'dash.retryLabel', { recipient: delivery.recipient },
      `${prefix}retry:${delivery.id}`, (button) => retry(delivery, button, line), 'delivery-retry'));
  }
  return actions;
}

function renderFailures() {
  const failures = dashboard?.latest_failures ?? [];
  if (!changed('failures', [lang(), failures])) return;
  const body = $('failures').tBodies[0];
  keepFocus(body, () => {
    if (failures.length === 0) {
      const row = el('tr');
      const cell = el('td', 'is-empty', t('dash.failures.empty'));
      cell.colSpan = 6;
      row.append(cell);
      body.replaceChildren(row);
      return;
    }
    body.replaceChildren(...failures.map((failure) => {
      const row = el('tr');
      row.dataset.id = failure.id;
      row.dataset.status = failure.status;
      const at = el('td', 'nowrap');
      const time = el('time', '', formatDate(failure.at));
      time.dateTime = failure.at;
      at.append(time);
      const status = el('td', 'nowrap');
      status.append(statusBadge(failure.status));
      row.append(
        at,
        status,
        el('td', 'address', failure.recipient),
        el('td', '', failure.template),
        el('td', 'reason', failure.reason ?? '—'),
      );
      const actions = el('td');
      actions.append(deliveryActions(failure, 'failure-', lines.failures));
      row.append(actions);
      return row;
    }));
  });
}

async function retry(delivery, button, line) {
  if (isBusy(button)) return false;
  setBusy(button, true);
  line.set(null);
  const result = await api('POST', `${NOTIFIER}/deliveries/${enc(delivery.id)}/retry`);
  setBusy(button, false);
  if (result.failed || !result.response.ok) {
    reportFailure(result, line);
    return false;
  }
  line.set({ key: 'dash.retried', params: { recipient: delivery.recipient } }, 'success');
  refresh();
  return true;
}

// ---------------------------------------------------------------- 7. suppressions, lift

async function loadSuppressions() {
  const result = await api('GET', `${NOTIFIER}/suppressions`);
  if (result.failed || !result.response.ok || !Array.isArray(result.data)) {
    reportFailure(result, lines.suppressions, 'dash.supp.failed');
    return;
  }
  if (lines.suppressions.message?.key === 'dash.supp.failed' || lines.suppressions.message?.key === 'status.network') {
    lines.suppressions.set(null);
  }
  suppressions = result.data;
}

function renderSuppressions() {
  if (suppressions === null) return;
  if (!changed('suppressions', [lang(), suppressions])) return;
  $('suppressions-count').textContent = t('dash.supp.count', { n: formatNumber(suppressions.length) });
  const body = $('suppressions').tBodies[0];
  keepFocus(body, () => {
    if (suppressions.length === 0) {
      const row = el('tr');
      const cell = el('td', 'is-empty', t('dash.supp.empty'));
      cell.colSpan = 5;
      row.append(cell);
      body.replaceChildren(row);
      return;
    }
    body.replaceChildren(...suppressions.map((entry) => {
      const row = el('tr');
      row.dataset.address = entry.address;
      const since = el('td', 'nowrap');
      const sinceTime = el('time', '', formatDate(entry.created_at));
      sinceTime.dateTime = entry.created_at;
      since.append(sinceTime);
      const expires = el('td', 'nowrap');
      const expiresTime = el('time', '', formatDate(entry.expires_at));
      expiresTime.dateTime = entry.expires_at;
      expires.append(expiresTime);
      const actions = el('td');
      const buttons = el('div', 'row-actions');
      if (entry.delivery_id) {
        buttons.append(actionButton('dash.details', 'dash.detailsLabel', { recipient: entry.address },
          `supp-detail:${entry.address}`, (button) => openDetail(entry.delivery_id, button), 'delivery-detail'));
      }
      buttons.append(actionButton('dash.supp.lift', 'dash.supp.liftLabel', { address: entry.address },
        `lift:${entry.address}`, (button) => lift(entry.address, button), 'suppression-lift'));
      actions.append(buttons);
      row.append(el('td', 'address', entry.address), el('td', 'reason', entry.reason), since, expires, actions);
      return row;
    }));
  });
}

async function lift(address, button) {
  if (isBusy(button) || !window.confirm(t('dash.supp.confirm', { address }))) return;
  setBusy(button, true);
  lines.suppressions.set(null);
  const result = await api('DELETE', `${NOTIFIER}/suppressions/${enc(address)}`);
  setBusy(button, false);
  if (result.failed) {
    reportFailure(result, lines.suppressions);
    return;
  }
  if (result.response.ok || result.response.status === 404) {
    // 404: someone else lifted it, or it expired meanwhile; either way it is no longer suppressed.
    lines.suppressions.set({ key: 'dash.supp.lifted', params: { address } }, 'success');
    suppressions = (suppressions ?? []).filter((entry) => entry.address !== address);
    renderSuppressions();
    // The row and its button are gone: the focus goes to the section, not to the top of the page.
    $('suppressions-heading').focus();
    await loadSuppressions();
    renderSuppressions();
    return;
  }
  reportFailure(result, lines.suppressions);
}

// ---------------------------------------------------------------- 8. delivery search

const search = { query: null, items: [], next: null, loading: false };

function renderSearchStatuses() {
  const select = $('search-status');
  const value = select.value;
  const options = [['', t('dash.search.any')], ['failed,bounced,abandoned', t('dash.search.problems')],
    ...STATUSES.map((s) => [s, statusName(s)])];
  select.replaceChildren(...options.map(([optionValue, text]) => {
    const option = el('option', '', text);
    option.value = optionValue;
    return option;
  }));
  select.value = value;
}

function searchUrl(query, after) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (query.status) params.set('status', query.status);
  if (query.recipient) params.set('recipient', query.recipient);
  if (after) params.set('after', after);
  return `${NOTIFIER}/deliveries?${params}`;
}

async function runSearch(more) {
  if (search.loading) return;
  const query = more ? search.query : { status: $('search-status').value, recipient: $('search-recipient').value.trim() };
  search.loading = true;
  const button = more ? $('results-more') : $('search-submit');
  setBusy(button, true);
  const result = await api('GET', searchUrl(query, more ? search.next : null));
  search.loading = false;
  setBusy(button, false);
  if (result.failed || !result.response.ok || !Array.isArray(result.data?.items)) {
    reportFailure(result, lines.search, 'dash.search.failed');
    return;
  }
  const firstNew = more ? search.items.length : 0;
  search.query = query;
  search.items = more ? [...search.items, ...result.data.items] : result.data.items;
  search.next = result.data.next ?? null;
  renderResults();
  // After "more" the focus stays on the button, or goes to the first new row when there is no more.
  if (more && !search.next) $('results').tBodies[0].rows[firstNew]?.querySelector('button')?.focus();
}

function renderResults() {
  if (!search.query) return;
  $('results-box').hidden = search.items.length === 0;
  $('results-more').hidden = !search.next;
  lines.search.set(search.items.length === 0
    ? { key: 'dash.search.empty' }
    : { key: search.next ? 'dash.search.countMore' : 'dash.search.count', params: { n: formatNumber(search.items.length) } }, 'info');
  const body = $('results').tBodies[0];
  keepFocus(body, () => {
    body.replaceChildren(...search.items.map((delivery) => {
      const row = el('tr');
      row.dataset.id = delivery.id;
      row.dataset.status = delivery.status;
      const created = el('td', 'nowrap');
      const time = el('time', '', formatDate(delivery.created_at));
      time.dateTime = delivery.created_at;
      created.append(time);
      const status = el('td', 'nowrap');
      status.append(statusBadge(delivery.status));
      const actions = el('td');
      actions.append(deliveryActions(delivery, 'result-', lines.search));
      row.append(
        created,
        status,
        el('td', 'address', delivery.recipient),
        el('td', '', delivery.template),
        el('td', 'num', formatNumber(delivery.attempts)),
        el('td', 'reason', delivery.last_error ?? '—'),
        actions,
      );
      return row;
    }));
  });
}

$('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  runSearch(false);
});

$('results-more').addEventListener('click', () => runSearch(true));

// ---------------------------------------------------------------- delivery detail

const detailDialog = $('detail');
let detail = null; // { id, data } of the delivery shown
let detailOpener = null;

async function openDetail(id, opener) {
  detailOpener = opener?.dataset.focusKey ?? null;
  detail = { id, data: null };
  lines.detail.set({ key: 'admin.loading' }, 'info');
  $('detail-body').replaceChildren();
  if (!detailDialog.open) detailDialog.showModal();
  await loadDetail();
}

async function loadDetail() {
  const id = detail?.id;
  if (!id) return;
  const result = await api('GET', `${NOTIFIER}/deliveries/${enc(id)}`);
  if (detail?.id !== id) return;
  if (result.failed || !result.response.ok || !result.data) {
    reportFailure(result, lines.detail, 'dash.detail.failed');
    return;
  }
  if (lines.detail.message?.key === 'admin.loading') lines.detail.set(null);
  detail.data = result.data;
  renderDetail();
}

function detailTable(captionKey, columns, rows, emptyKey, className) {
  const section = el('section', 'detail-section');
  const heading = el('h3', '', t(captionKey));
  heading.id = `detail-${className}-heading`;
  section.append(heading);
  if (rows.length === 0) {
    section.append(el('p', 'hint', t(emptyKey)));
    return section;
  }
  const scroll = el('div', 'table-scroll');
  scroll.setAttribute('role', 'region');
  scroll.setAttribute('aria-labelledby', heading.id);
  scroll.tabIndex = 0;
  const table = el('table', `data-table ${className}`);
  const head = el('thead');
  const headRow = el('tr');
  for (const [key, cls] of columns) {
    const th = el('th', cls ?? '', t(key));
    th.scope = 'col';
    headRow.append(th);
  }
  head.append(headRow);
  const body = el('tbody');
  for (const cells of rows) {
    const row = el('tr');
    for (const [text, cls] of cells) row.append(el('td', cls ?? '', text));
    body.append(row);
  }
  table.append(head, body);
  scroll.append(table);
  section.append(scroll);
  return section;
}

function renderDetail() {
  const d = detail?.data;
  if (!d) return;
  const summary = el('dl', 'detail-list');
  const fields = [
    ['dash.col.recipient', d.recipient, 'address'],
    ['dash.col.status', null, 'status'],
    ['dash.col.template', `${d.template} (${d.locale})`],
    ['dash.detail.kind', d.kind],
    ['dash.detail.subject', d.subject],
    ['dash.detail.from', d.from ?? '—'],
    ['dash.col.attempts', formatNumber(d.attempts)],
    ['dash.col.lastError', d.last_error ?? '—', 'reason'],
    ['dash.detail.requested', formatDate(d.requested_at)],
    ['dash.detail.sent', formatDate(d.sent_at)],
    ['dash.detail.final', formatDate(d.final_at)],
    ['dash.detail.queueId', d.queue_id ?? '—'],
    ['dash.detail.id', d.id],
  ];
  // The W3C trace context the delivery carries, for finding it in the traces (when the Notifier sends it).
  if (d.trace_parent) fields.push(['dash.detail.trace', d.trace_parent]);
  for (const [key, value, field] of fields) {
    const row = el('div', 'detail-row');
    const data = el('dd', field === 'reason' || field === 'address' ? field : '');
    if (field === 'status') data.append(statusBadge(d.status));
    else data.textContent = value;
    if (field) data.dataset.field = field;
    row.append(el('dt', '', t(key)), data);
    summary.append(row);
  }

  const parts = [summary];
  if (RETRYABLE.has(d.status)) {
    const retryButton = el('button', 'btn btn-secondary btn-small delivery-retry', t('dash.retry'));
    retryButton.type = 'button';
    retryButton.dataset.focusKey = 'detail-retry';
    retryButton.setAttribute('aria-label', t('dash.retryLabel', { recipient: d.recipient }));
    retryButton.addEventListener('click', async () => {
      if (await retry(d, retryButton, lines.detail)) {
        await loadDetail();
        $('detail-close').focus();
      }
    });
    const actions = el('div', 'row-actions detail-actions');
    actions.append(retryButton);
    parts.push(actions);
  }

  parts.push(detailTable('dash.detail.attempts', [
    ['dash.detail.number', 'num'], ['dash.detail.started'], ['dash.detail.duration', 'num'],
    ['dash.detail.outcome'], ['dash.detail.code', 'num'], ['dash.detail.reply'],
  ], (d.attempt_log ?? []).map((a) => [
    [a.number, 'num'], [formatDate(a.started_at), 'nowrap'], [formatMs(a.duration_ms), 'num'],
    [a.outcome], [a.smtp_code ?? '—', 'num'], [a.reply ?? '—', 'reason'],
  ]), 'dash.detail.noAttempts', 'attempts'));

  parts.push(detailTable('dash.detail.reports', [
    ['dash.detail.received'], ['dash.detail.source'], ['dash.detail.action'],
    ['dash.detail.reportStatus'], ['dash.detail.diagnostic'], ['dash.detail.remote'],
  ], (d.reports ?? []).map((r) => [
    [formatDate(r.received_at), 'nowrap'], [r.source], [r.action],
    [r.status ?? '—', 'nowrap'], [r.diagnostic ?? '—', 'reason'], [r.remote_mta ?? '—'],
  ]), 'dash.detail.noReports', 'reports'));

  keepFocus($('detail-body'), () => $('detail-body').replaceChildren(...parts));
}

$('detail-close').addEventListener('click', () => detailDialog.close());

detailDialog.addEventListener('close', () => {
  detail = null;
  lines.detail.set(null);
  // The button that opened it may have been redrawn by a refresh meanwhile: find its successor.
  const opener = detailOpener ? document.querySelector(`[data-focus-key="${CSS.escape(detailOpener)}"]`) : null;
  opener?.focus();
});

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
  if (dashboard) renderLive();
  renderResults();
  renderDetail();
  if (refreshFailed) announce('dash.announce.failing');
});

$('access-retry').addEventListener('click', start);

translateAttributes();
renderRefreshNote();
start();
