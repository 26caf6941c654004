// 5b. Replaying what is parked: the error queues and the dead-letter queue that hold messages, and
// both outboxes' dead letters, each with "replay all" (or "retry all") after a confirmation; a
// queue's messages on request, each with its own "replay".
//
// The messages of a queue are looked at only when the operator asks (never on the refresh): each
// look hands them back to the broker, which counts it as a delivery. Bodies are never shown (the
// API gives headers and type only: a body may hold a single-use link).
//
// Drawn from the dashboard's answer by renderReplay(), which queues.js calls on every refresh.

import { t, lang } from '../i18n.js';
import { $, IDENTITY, NOTIFIER, actionButton, api, changed, el, enc, isBusy, keepFocus, setBusy } from './page.js';
import { formatDate, formatNumber } from './format.js';
import { StatusLine, reportFailure } from './messages.js';
import { live } from './state.js';
import { refresh } from './refresh.js';

const line = new StatusLine($('replay-status'));
const PEEK_LIMIT = 50;

/** The queue whose messages are shown: { queue, messages, waiting } or null. */
let opened = null;

/** What can be replayed now: broker queues holding messages, then outboxes holding dead letters. */
function parked() {
  const queues = (live.dashboard?.queues ?? [])
    .filter((q) => (q.is_error_queue || q.is_dead_letter_queue) && q.messages > 0)
    .map((q) => ({ kind: 'queue', name: q.name, count: q.messages, deadLetters: q.is_dead_letter_queue }));
  const outboxes = [
    { service: 'notifier', base: NOTIFIER, count: live.dashboard?.outbox?.dead_lettered ?? 0 },
    { service: 'identity', base: IDENTITY, count: live.identityOutbox?.ok ? (live.identityOutbox.value.dead_lettered ?? 0) : 0 },
  ].filter((o) => o.count > 0).map((o) => ({ kind: 'outbox', name: `outbox:${o.service}`, ...o }));
  return [...queues, ...outboxes];
}

export function renderReplay() {
  const rows = parked();
  if (!changed('replay', [lang(), rows, opened])) return;
  const body = $('replay-queues').tBodies[0];
  keepFocus($('replay'), () => {
    if (rows.length === 0) {
      const row = el('tr');
      const cell = el('td', 'is-empty', t('replay.nothing'));
      cell.colSpan = 3;
      row.append(cell);
      body.replaceChildren(row);
    } else {
      body.replaceChildren(...rows.map(queueRow));
    }
    renderMessages();
  });
}

function queueRow(entry) {
  const row = el('tr');
  row.dataset.queue = entry.name;
  const name = el('td', 'queue-name');
  if (entry.kind === 'queue') {
    name.append(el('code', '', entry.name));
    if (entry.deadLetters) name.append(' ', el('span', 'badge', t('dash.queues.deadLetterQueue')));
  } else {
    name.append(t(entry.service === 'notifier' ? 'replay.outboxNotifier' : 'replay.outboxIdentity'));
  }
  const buttons = el('div', 'row-actions');
  if (entry.kind === 'queue') {
    buttons.append(
      actionButton('replay.show', 'replay.showLabel', { queue: entry.name }, `replay-show:${entry.name}`,
        (button) => openQueue(entry.name, button), 'replay-show'),
      actionButton('replay.all', 'replay.allLabel', { queue: entry.name }, `replay-all:${entry.name}`,
        (button) => replayAll(entry, button), 'replay-all'),
    );
  } else {
    buttons.append(actionButton('replay.retryAll', 'replay.retryAllLabel', { name: name.textContent }, `retry-all:${entry.name}`,
      (button) => retryOutbox(entry, button), 'replay-all'));
  }
  const actions = el('td');
  actions.append(buttons);
  row.append(name, el('td', 'num', formatNumber(entry.count)), actions);
  return row;
}

function renderMessages() {
  const box = $('replay-messages-box');
  box.hidden = opened === null;
  if (opened === null) return;
  $('replay-messages-heading').textContent = t('replay.messagesOf', {
    queue: opened.queue, shown: formatNumber(opened.messages.length), waiting: formatNumber(opened.waiting),
  });
  const body = $('replay-messages').tBodies[0];
  if (opened.messages.length === 0) {
    const row = el('tr');
    const cell = el('td', 'is-empty', t('replay.noMessages'));
    cell.colSpan = 5;
    row.append(cell);
    body.replaceChildren(row);
    return;
  }
  body.replaceChildren(...opened.messages.map((message) => {
    const row = el('tr');
    const id = message.message_id ?? '';
    row.dataset.messageId = id;
    const at = el('td', 'nowrap');
    const time = el('time', '', formatDate(message.faulted_at));
    if (message.faulted_at) time.dateTime = message.faulted_at;
    at.append(time);
    const type = el('td');
    const fullType = message.message_type ?? '';
    const shortType = el('code', '', fullType ? fullType.split(':').pop() : '—');
    if (fullType) shortType.title = fullType;
    type.append(shortType, el('br'), el('small', 'nowrap', id || t('replay.noId')));
    const why = el('td', 'reason', message.fault_message ?? message.death_reason ?? '—');
    const target = el('td');
    target.append(message.original_queue ? el('code', '', message.original_queue) : t('replay.noTarget'));
    const actions = el('td');
    if (id && message.original_queue) {
      const buttons = el('div', 'row-actions');
      buttons.append(actionButton('replay.one', 'replay.oneLabel', { id }, `replay-one:${id}`,
        (button) => replayOne(opened.queue, id, button), 'replay-one'));
      actions.append(buttons);
    }
    row.append(at, type, why, target, actions);
    return row;
  }));
}

async function openQueue(queue, button) {
  if (isBusy(button)) return;
  setBusy(button, true);
  line.set(null);
  const result = await api('GET', `${NOTIFIER}/error-queues/${enc(queue)}/messages?limit=${PEEK_LIMIT}`);
  setBusy(button, false);
  if (result.failed || !result.response.ok || !Array.isArray(result.data?.messages)) {
    reportFailure(result, line, 'replay.failed');
    return;
  }
  opened = { queue, messages: result.data.messages, waiting: result.data.waiting ?? result.data.messages.length };
  renderReplay();
  $('replay-messages-heading').focus();
}

/** The answer of a replay on the status line: how many went back, and where. */
function reportReplayed(data) {
  const targets = [...new Set((data.messages ?? []).map((m) => m.to))].join(', ');
  line.set({ key: 'replay.done', params: { n: formatNumber(data.replayed), queue: data.queue, to: targets } }, 'success');
}

async function replayAll(entry, button) {
  if (isBusy(button) || !window.confirm(t('replay.confirmAll', { queue: entry.name, n: formatNumber(entry.count) }))) return;
  setBusy(button, true);
  line.set(null);
  const result = await api('POST', `${NOTIFIER}/error-queues/${enc(entry.name)}/replay`);
  setBusy(button, false);
  if (!result.failed && result.response.ok && result.data) {
    reportReplayed(result.data);
    if (opened?.queue === entry.name) {
      const moved = new Set((result.data.messages ?? []).map((m) => m.message_id));
      opened = {
        ...opened,
        messages: opened.messages.filter((m) => !moved.has(m.message_id)),
        waiting: Math.max(0, opened.waiting - (result.data.replayed ?? 0)),
      };
    }
  } else {
    reportFailure(result, line, 'replay.failed');
  }
  refresh();
}

async function replayOne(queue, id, button) {
  if (isBusy(button)) return;
  setBusy(button, true);
  line.set(null);
  const result = await api('POST', `${NOTIFIER}/error-queues/${enc(queue)}/messages/${enc(id)}/replay`);
  setBusy(button, false);
  if (!result.failed && (result.response.ok || result.response.status === 404) && opened?.queue === queue) {
    // 404: replayed by someone else meanwhile (or being looked at): either way not to be offered here.
    const before = opened.messages.length;
    const messages = opened.messages.filter((m) => m.message_id !== id);
    opened = { ...opened, messages, waiting: Math.max(0, opened.waiting - (before - messages.length)) };
    renderReplay();
    $('replay-messages-heading').focus();
  }
  if (!result.failed && result.response.ok && result.data) reportReplayed(result.data);
  else reportFailure(result, line, 'replay.failed');
  refresh();
}

async function retryOutbox(entry, button) {
  const name = t(entry.service === 'notifier' ? 'replay.outboxNotifier' : 'replay.outboxIdentity');
  if (isBusy(button) || !window.confirm(t('replay.confirmRetry', { name, n: formatNumber(entry.count) }))) return;
  setBusy(button, true);
  line.set(null);
  const result = await api('POST', `${entry.base}/outbox/dead-letters/retry-all`);
  setBusy(button, false);
  if (!result.failed && result.response.ok && result.data) {
    line.set({ key: 'replay.retried', params: { n: formatNumber(result.data.retried), name, left: formatNumber(result.data.need_new_link ?? 0) } }, 'success');
  } else {
    reportFailure(result, line, 'replay.failed');
  }
  refresh();
}
