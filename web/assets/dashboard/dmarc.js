// The dashboard's DMARC section: the aggregate reports receivers mailed to the report address,
// per sender domain and source IP (GET /notifier/api/admin/dmarc-reports/summary?days=N), with the
// sources that fail DMARC first and highlighted. The counts are as the receivers reported them.
//
// A module of its own, loaded by dashboard.html beside dashboard.js: it loads once the page is
// shown (the admin session is established by dashboard.js) and again every few minutes while it
// stays shown; reports arrive once a day per receiver, so there is no need to follow the
// dashboard's few-second refresh.

import { t, lang, onLangChange } from '../i18n.js';
import { $, NOTIFIER, api, changed, el, isBusy, setBusy } from './page.js';
import { formatNumber } from './format.js';
import { StatusLine, reportFailure } from './messages.js';

const REFRESH_MS = 5 * 60 * 1000;
const COLUMNS = 9;

const status = new StatusLine($('dmarc-status'));
let summary = null;
let timer = null;
let loading = false;

function shown() {
  return !$('dashboard-app').hidden && !document.hidden;
}

async function load() {
  if (loading) return;
  loading = true;
  const button = $('dmarc-reload');
  setBusy(button, true);
  const days = $('dmarc-days').value;
  const result = await api('GET', `${NOTIFIER}/dmarc-reports/summary?days=${encodeURIComponent(days)}`);
  setBusy(button, false);
  loading = false;
  if (result.failed || !result.response.ok || !Array.isArray(result.data?.domains)) {
    reportFailure(result, status, 'dmarc.failed');
    // Nothing loaded yet: the status line says why, the table stops saying "loading".
    if (summary === null && result.failed !== 'access') $('dmarc').tBodies[0].replaceChildren(message('—'));
    return;
  }
  status.set(null);
  summary = result.data;
  render();
}

function share(part, whole) {
  return whole > 0 ? `${formatNumber((100 * part) / whole, 1)}%` : '—';
}

function sourceRow(source) {
  const failing = source.dmarc_fail > 0;
  const row = el('tr');
  row.dataset.sourceIp = source.source_ip;
  if (failing) row.classList.add('is-alert');
  const ip = el('td', 'nowrap');
  ip.append(el('code', '', source.source_ip));
  const d = source.dispositions ?? {};
  row.append(
    ip,
    el('td', 'num', formatNumber(source.messages)),
    el('td', 'num', formatNumber(source.dmarc_pass)),
    el('td', 'num', formatNumber(source.dmarc_fail)),
    el('td', 'num nowrap', t('dmarc.passFail', { pass: formatNumber(source.dkim_pass), fail: formatNumber(source.dkim_fail) })),
    el('td', 'num nowrap', t('dmarc.passFail', { pass: formatNumber(source.spf_pass), fail: formatNumber(source.spf_fail) })),
    el('td', 'nowrap', t('dmarc.disposition', {
      none: formatNumber(d.none ?? 0), quarantine: formatNumber(d.quarantine ?? 0), reject: formatNumber(d.reject ?? 0),
    })),
    el('td', 'reason', (source.reporters ?? []).join(', ')),
    el('td', `queue-state ${failing ? 'is-alert' : 'is-ok'}`,
      failing ? t('dmarc.state.failing', { share: share(source.dmarc_fail, source.messages) }) : t('dmarc.state.passing')),
  );
  return row;
}

function message(text) {
  const row = el('tr');
  const cell = el('td', 'is-empty', text);
  cell.colSpan = COLUMNS;
  row.append(cell);
  return row;
}

function render() {
  if (summary === null) return;
  if (!changed('dmarc', [lang(), summary])) return;
  const domains = summary.domains;
  const failingSources = domains.reduce((n, domain) => n + domain.sources.filter((s) => s.dmarc_fail > 0).length, 0);
  const badge = $('dmarc-failing');
  badge.hidden = failingSources === 0;
  badge.textContent = t('dmarc.failingCount', { n: formatNumber(failingSources) });
  const body = $('dmarc').tBodies[0];
  if (domains.length === 0) {
    body.replaceChildren(message(t('dmarc.empty')));
    return;
  }
  const rows = [];
  for (const domain of domains) {
    const head = el('tr', domain.dmarc_fail > 0 ? 'is-warn' : '');
    head.dataset.domain = domain.domain;
    const title = el('th', '', t('dmarc.domain', {
      domain: domain.domain,
      reports: formatNumber(domain.reports),
      messages: formatNumber(domain.messages),
      fail: formatNumber(domain.dmarc_fail),
    }));
    title.scope = 'colgroup';
    title.colSpan = COLUMNS;
    head.append(title);
    rows.push(head);
    if (domain.sources.length === 0) rows.push(message(t('dmarc.noSources')));
    // The server puts failing sources first.
    for (const source of domain.sources) rows.push(sourceRow(source));
  }
  body.replaceChildren(...rows);
}

function schedule() {
  clearInterval(timer);
  timer = setInterval(() => {
    if (shown()) load();
  }, REFRESH_MS);
}

$('dmarc-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (isBusy($('dmarc-reload'))) return;
  load();
  schedule();
});

$('dmarc-days').addEventListener('change', () => {
  load();
  schedule();
});

onLangChange(() => {
  status.render();
  render();
});

// The page is shown by dashboard.js once the admin session is established: load then, and again
// when it is shown after a lost access was regained.
new MutationObserver(() => {
  if (!$('dashboard-app').hidden) load();
}).observe($('dashboard-app'), { attributes: true, attributeFilter: ['hidden'] });
if (shown()) load();
schedule();
