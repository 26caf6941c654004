// The sender domains' health on the dashboard: for each domain the senders use, whether its SPF,
// DKIM and DMARC records, as published in DNS, match the mail server's addresses and key
// (GET /notifier/api/admin/domain-health, checked by the Notifier at most every few minutes), and
// a button that checks again now (POST …/check), e.g. after publishing a record.
//
// A module of its own: it loads once the dashboard is shown (the admin token is shared through
// admin-session.js) and is not part of the 3-second refresh, since every check asks DNS.

import { t, lang, onLangChange } from '../i18n.js';
import { adminCall } from '../admin-session.js';
import { StatusLine } from '../admin-messages.js';

const API = '/notifier/api/admin/domain-health';
const CHECKS = ['spf', 'dkim', 'dmarc'];
const $ = (id) => document.getElementById(id);

const app = $('dashboard-app');
const list = $('domain-health-list');
const meta = $('domain-health-meta');
const button = $('domain-health-check');
const line = new StatusLine($('domain-health-status'));
let report = null;
let loading = false;

function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

function formatTime(value) {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value)
    : date.toLocaleString(lang() === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
}

function badge(status) {
  const known = ['ok', 'warn', 'fail'].includes(status) ? status : 'warn';
  const element = el('span', `dh-badge dh-${known}`);
  element.append(el('span', 'dh-swatch', ''), t(`dh.status.${known}`));
  return element;
}

function renderCheck(name, check) {
  const item = el('li', 'dh-check');
  const head = el('div', 'dh-check-head');
  head.append(el('span', 'dh-check-name', t(`dh.check.${name}`)), badge(check.status));
  item.append(head, el('p', 'dh-reason', check.reason));
  const records = Array.isArray(check.records) ? check.records : [];
  const details = Array.isArray(check.details) ? check.details : [];
  if (records.length + details.length > 0) {
    const more = el('details', 'dh-more');
    more.append(el('summary', '', t('dh.more')));
    if (records.length > 0) {
      more.append(el('p', 'dh-label', t('dh.records')));
      for (const record of records) more.append(el('code', 'dh-record', record));
    }
    if (details.length > 0) {
      const ul = el('ul', 'dh-details');
      for (const detail of details) ul.append(el('li', '', detail));
      more.append(ul);
    }
    item.append(more);
  }
  return item;
}

function render() {
  if (!report) return;
  meta.textContent = t('dh.meta', {
    time: formatTime(report.checked_at),
    server: report.dns_server,
    address: report.dmarc_report_address,
  });
  const domains = Array.isArray(report.domains) ? report.domains : [];
  if (domains.length === 0) {
    list.replaceChildren(el('p', 'hint', t('dh.empty')));
    return;
  }
  list.replaceChildren(...domains.map((domain) => {
    const card = el('article', 'dh-domain');
    card.dataset.domain = domain.domain;
    const head = el('div', 'dh-domain-head');
    const title = el('h3', 'dh-domain-name', domain.domain);
    head.append(title, badge(domain.status));
    card.append(head);
    if (Array.isArray(domain.senders) && domain.senders.length > 0) {
      card.append(el('p', 'hint dh-senders', t('dh.senders', { senders: domain.senders.join(', ') })));
    }
    const checks = el('ul', 'dh-checks');
    for (const name of CHECKS) if (domain[name]) checks.append(renderCheck(name, domain[name]));
    card.append(checks);
    return card;
  }));
}

async function load(now) {
  if (loading) return;
  loading = true;
  button.setAttribute('aria-busy', 'true');
  button.setAttribute('aria-disabled', 'true');
  line.set({ key: now ? 'dh.checking' : 'dh.loading' }, 'info');
  const result = await adminCall(now ? 'POST' : 'GET', now ? `${API}/check` : API);
  loading = false;
  button.setAttribute('aria-busy', 'false');
  button.setAttribute('aria-disabled', 'false');
  if (result.failed === 'access') {
    line.set(null);
    return;
  }
  if (result.failed || !result.response.ok || !Array.isArray(result.data?.domains)) {
    line.set({ key: result.failed === 'network' ? 'status.network' : 'dh.failed' });
    return;
  }
  report = result.data;
  line.set(now ? { key: 'dh.checked' } : null, 'success');
  render();
}

button.addEventListener('click', () => {
  if (button.getAttribute('aria-disabled') !== 'true') load(true);
});

onLangChange(render);

// Loaded when the dashboard is first shown, and again whenever it is shown after a new sign-in.
let shown = !app.hidden;
new MutationObserver(() => {
  if (!app.hidden && !shown) load(false);
  shown = !app.hidden;
}).observe(app, { attributes: true, attributeFilter: ['hidden'] });
if (shown) load(false);
