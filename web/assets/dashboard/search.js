// 8. The delivery search: by status, failure class and recipient, a page at a time.

import { t } from '../i18n.js';
import { $, NOTIFIER, STATUSES, api, el, keepFocus, setBusy } from './page.js';
import { formatDate, formatNumber, statusBadge, statusName } from './format.js';
import { lines, reportFailure } from './messages.js';
import { deliveryActions } from './failures.js';
import { FAILURE_CLASSES, classBadge, className } from './failure-class.js';

const PAGE_SIZE = 25;

const search = { query: null, items: [], next: null, loading: false };

export function renderSearchStatuses() {
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

  const classes = $('search-class');
  const chosen = classes.value;
  classes.replaceChildren(...[['', t('dash.class.any')], ...FAILURE_CLASSES.map((c) => [c, className(c)])].map(([optionValue, text]) => {
    const option = el('option', '', text);
    option.value = optionValue;
    return option;
  }));
  classes.value = chosen;
}

function searchUrl(query, after) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (query.status) params.set('status', query.status);
  if (query.failureClass) params.set('failure_class', query.failureClass);
  if (query.recipient) params.set('recipient', query.recipient);
  if (after) params.set('after', after);
  return `${NOTIFIER}/deliveries?${params}`;
}

async function runSearch(more) {
  if (search.loading) return;
  const query = more ? search.query
    : { status: $('search-status').value, failureClass: $('search-class').value, recipient: $('search-recipient').value.trim() };
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

export function renderResults() {
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
      const status = el('td', 'nowrap status-cell');
      status.append(statusBadge(delivery.status));
      // The class of its latest failure, beside the status (kept as history after a later delivery).
      const badge = classBadge(delivery.failure_class);
      if (badge) status.append(badge);
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
