// Per recipient domain, the last hour: sent, delivered, deferred, bounced, failed, throttled,
// complained and suppressed, and the newest failure's reason, the domains in trouble first
// (GET /notifier/api/admin/dashboard/domains). A domain whose receiver throttles or blocks us is
// highlighted and named in a line above the table, so "gmail.com is throttling us" is seen
// without scrolling, at 360 px too.
//
// A module of its own, loaded by dashboard.html next to dashboard.js. It refreshes with the rest
// of the dashboard: each time the refresh loop has drawn new numbers (the refresh note's
// data-generated-at changes), so it also pauses when the loop pauses (by the operator, a hidden
// tab, a lost access).

import { t, lang, onLangChange } from '../i18n.js';
import { $, NOTIFIER, api, changed, el } from './page.js';
import { formatDate, formatNumber, statusName } from './format.js';

const WINDOW = '1h';
const LIMIT = 50;
/** The counts in the table's order, after the domain. */
const COUNTS = ['sent', 'delivered', 'deferred', 'bounced', 'failed', 'throttled', 'complained', 'suppressed'];

/** The last answer, or null before the first; `failed` while the last load did not work. */
const state = { view: null, failed: false, loading: false, again: false };

async function load() {
  if (state.loading) {
    state.again = true;
    return;
  }
  state.loading = true;
  try {
    const result = await api('GET', `${NOTIFIER}/dashboard/domains?window=${WINDOW}&limit=${LIMIT}`);
    // Access lost: the page itself says so and stops refreshing; nothing to add here.
    if (result.failed === 'access') return;
    const ok = !result.failed && result.response.ok && Array.isArray(result.data?.items);
    state.failed = !ok;
    if (ok) state.view = result.data;
    render();
  } finally {
    state.loading = false;
    if (state.again) {
      state.again = false;
      load();
    }
  }
}

function failureClassName(failureClass) {
  const key = `dash.domains.class.${failureClass}`;
  const text = t(key);
  return text === key ? failureClass : text;
}

function countCell(domain, name) {
  const value = domain[name] ?? 0;
  const cell = el('td', 'num', formatNumber(value));
  if (value > 0 && name === 'throttled') cell.classList.add('domain-throttled');
  if (value > 0 && (name === 'bounced' || name === 'failed' || name === 'complained')) cell.classList.add('domain-bad');
  return cell;
}

function failureCell(failure) {
  const cell = el('td', 'reason');
  if (!failure) {
    cell.textContent = '—';
    return cell;
  }
  const head = el('span', 'domain-failure-head');
  const time = el('time', 'nowrap', formatDate(failure.at));
  time.dateTime = failure.at;
  head.append(time, ' ', el('span', 'badge', statusName(failure.status)));
  if (failure.class) {
    head.append(' ', el('span', `badge domain-class is-${failure.class}`, failureClassName(failure.class)));
  }
  cell.append(head, el('span', 'domain-failure-reason', failure.reason));
  return cell;
}

function renderAlert(items) {
  const alert = $('domains-alert');
  const throttled = items.filter((domain) => domain.throttled > 0);
  alert.hidden = throttled.length === 0;
  alert.replaceChildren();
  if (throttled.length === 0) return;
  alert.append(el('strong', '', t('dash.domains.alertLead')), ' ');
  throttled.slice(0, 5).forEach((domain, i) => {
    if (i > 0) alert.append(t('dash.domains.separator'));
    alert.append(t('dash.domains.alertDomain', { domain: domain.domain, n: formatNumber(domain.throttled) }));
  });
  if (throttled.length > 5) alert.append(t('dash.domains.alertMore', { n: formatNumber(throttled.length - 5) }));
}

function render() {
  const view = state.view;
  const status = $('domains-status');
  status.textContent = state.failed ? t(view ? 'dash.domains.staleFailed' : 'dash.domains.loadFailed') : '';
  // The items only: the answer's time changes on every refresh, the table need not.
  if (!changed('domains', [lang(), view?.domains ?? null, view?.items ?? null])) return;
  const items = view?.items ?? [];
  $('domains-count').textContent = view ? t('dash.domains.count', { n: formatNumber(view.domains) }) : '';
  $('domains-more').hidden = !view || view.domains <= items.length;
  $('domains-more').textContent = view ? t('dash.domains.more', { shown: formatNumber(items.length), n: formatNumber(view.domains) }) : '';
  renderAlert(items);
  const body = $('domains').tBodies[0];
  if (items.length === 0) {
    const row = el('tr');
    const cell = el('td', 'is-empty', t(view ? 'dash.domains.empty' : 'admin.loading'));
    cell.colSpan = COUNTS.length + 2;
    row.append(cell);
    body.replaceChildren(row);
    return;
  }
  body.replaceChildren(...items.map((domain) => {
    const row = el('tr');
    row.dataset.domain = domain.domain;
    if (domain.throttled > 0) row.classList.add('is-alert');
    else if (domain.trouble > 0) row.classList.add('is-warn');
    const name = el('th', 'domain-name');
    name.scope = 'row';
    name.textContent = domain.domain;
    if (domain.throttled > 0) name.append(' ', el('span', 'badge domain-class is-throttled', t('dash.domains.throttling')));
    row.append(name, ...COUNTS.map((count) => countCell(domain, count)), failureCell(domain.newest_failure));
    return row;
  }));
}

// Every time the dashboard has drawn fresh numbers, these are loaded again.
const note = $('refresh-text');
let seen = note.dataset.generatedAt;
new MutationObserver(() => {
  if (note.dataset.generatedAt && note.dataset.generatedAt !== seen) {
    seen = note.dataset.generatedAt;
    load();
  }
}).observe(note, { attributes: true, attributeFilter: ['data-generated-at'] });

onLangChange(render);
render();
// Numbers drawn before this module ran: load now rather than at the next refresh.
if (seen) load();
