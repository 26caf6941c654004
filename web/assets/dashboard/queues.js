// 5. The broker's queues: messages, consumers, and what needs a look (an error queue or dead
// letters waiting, a queue nobody reads).

import { t, lang } from '../i18n.js';
import { $, changed, el } from './page.js';
import { formatNumber } from './format.js';
import { live } from './state.js';
import { renderReplay } from './replay.js';

export function renderQueues() {
  renderReplay();
  const queues = live.dashboard?.queues ?? null;
  const problem = live.dashboard?.queues_problem ?? null;
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
