// 1. The status tiles (last hour, last day, rate; the suppressed tile counts addresses) and the
// charts' legend, in the same order.

import { t, lang } from '../i18n.js';
import { $, ALERT_STATUSES, STATUSES, changed, el } from './page.js';
import { formatNumber, statusName } from './format.js';
import { live } from './state.js';

function statusCounts() {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, { hour: 0, day: 0 }]));
  for (const row of live.dashboard?.statuses ?? []) {
    counts[row.status] = { hour: Number(row.last_hour) || 0, day: Number(row.last_day) || 0 };
  }
  return counts;
}

/** The addresses suppressed now: what the suppressed tile and the suppression list both count. */
export function suppressedAddresses() {
  return Number(live.dashboard?.suppressed?.addresses) || 0;
}

/**
 * The suppressed tile counts addresses, as the list below does, not deliveries: the deliveries
 * held back because of a suppression are a second, labelled line.
 */
function suppressedTile(item, { hour: statusHour, day }) {
  const addresses = suppressedAddresses();
  // The answer names the last hour's held-back emails beside the addresses; the status counts
  // (the same figure) are the fallback.
  const hour = Number(live.dashboard?.suppressed?.deliveries_last_hour ?? statusHour) || 0;
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

export function renderTiles() {
  const counts = statusCounts();
  if (!changed('tiles', [lang(), counts, live.dashboard?.suppressed])) return;
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

export function renderLegend() {
  $('legend').setAttribute('aria-label', t('dash.charts.legend'));
  $('legend').replaceChildren(...STATUSES.map((status) => {
    const item = el('li', `legend-item st-${status}`);
    item.append(el('span', 'swatch', ''), statusName(status));
    return item;
  }));
}
