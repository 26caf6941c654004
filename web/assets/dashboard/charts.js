// 2. The charts: the last hour by minute and the last day by hour, stacked by status, as SVG drawn
// at the size they are shown, and the same numbers as tables.

import { t, lang } from '../i18n.js';
import { $, STATUSES, changed, el, sum, svg } from './page.js';
import { formatHourMinute, formatNumber, statusName } from './format.js';
import { live } from './state.js';

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

export function renderCharts() {
  if (!live.dashboard) return;
  const minuteSlots = slotsOf(live.dashboard.last_hour_by_minute, live.dashboard.generated_at, MINUTE, 60);
  const hourSlots = slotsOf(live.dashboard.last_day_by_hour, live.dashboard.generated_at, HOUR, 24);
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
