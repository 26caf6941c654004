// Sender addresses: the table (make default, delete), adding one, and which sender the selected
// template sends from.

import { t } from '../i18n.js';
import { emailErrors } from '../validation.js';
import { $, actionButton, api, badge, cell, enc } from './page.js';
import { lines, messagesOf, otherProblems, reportFailure, showFieldErrors } from './messages.js';
import { state } from './state.js';
import { schedulePreview } from './preview.js';
import { loadTemplates } from './templates.js';
import { loadAudit } from './audit.js';

const senderSelect = $('template-sender');

let senders = [];

export async function loadSenders() {
  const result = await api('GET', '/senders');
  if (result.failed || !result.response.ok || !Array.isArray(result.data)) {
    reportFailure(result, lines.senders, 'admin.senders.failed');
    return;
  }
  senders = result.data;
  renderSenders();
  renderSenderChoice();
}

function senderLabel(sender) {
  return sender.display_name ? `${sender.display_name} <${sender.address}>` : sender.address;
}

export function renderSenders() {
  $('senders').tBodies[0].replaceChildren(...senders.map((sender) => {
    const row = document.createElement('tr');
    row.dataset.id = sender.id;
    row.dataset.address = sender.address;
    const who = document.createElement('div');
    const name = document.createElement('span');
    name.className = 'sender-name';
    name.textContent = sender.display_name;
    const address = document.createElement('span');
    address.className = 'sender-address email-address';
    address.textContent = sender.address;
    who.append(name, ' ', address);
    if (sender.is_default) who.append(' ', badge(t('admin.senders.default'), 'badge-active'));
    const actions = document.createElement('div');
    actions.className = 'row-actions';
    if (!sender.is_default) {
      const params = { address: sender.address };
      actions.append(
        actionButton('admin.senders.makeDefault', 'admin.senders.makeDefaultLabel', params, 'sender-default', (b) => makeDefault(sender, b)),
        actionButton('admin.senders.delete', 'admin.senders.deleteLabel', params, 'sender-delete', (b) => deleteSender(sender, b)),
      );
    }
    const usedBy = sender.used_by?.length ? sender.used_by.join(', ') : t('admin.senders.none');
    row.append(cell(who), cell(sender.reply_to ?? '—', 'email-address'), cell(usedBy), cell(actions));
    return row;
  }));
}

/** The selected template's sender choice: the default (named) or one of the senders. */
export function renderSenderChoice() {
  if (!state.current) return;
  const fallback = senders.find((s) => s.is_default);
  const options = [new Option(t('admin.templateSender.default', { address: fallback ? senderLabel(fallback) : '—' }), '')];
  for (const sender of senders) options.push(new Option(senderLabel(sender), sender.id));
  senderSelect.replaceChildren(...options);
  senderSelect.value = state.current.sender_id ?? '';
}

$('template-sender-save').addEventListener('click', async () => {
  if (!state.current) return;
  const button = $('template-sender-save');
  button.disabled = true;
  lines.templateSender.set(null);
  // PUT replaces both fields: the description goes back as it is.
  const result = await api('PUT', `/templates/${enc(state.current.key)}`, {
    description: state.current.description,
    sender_id: senderSelect.value === '' ? null : senderSelect.value,
  });
  button.disabled = false;
  if (result.failed || !result.response.ok || !result.data) {
    reportFailure(result, lines.templateSender);
    return;
  }
  state.current = result.data;
  lines.templateSender.set({ key: 'admin.templateSender.saved' }, 'success');
  await Promise.all([loadSenders(), loadTemplates(), loadAudit()]);
  schedulePreview(0); // the From line changed
});

async function makeDefault(sender, button) {
  lines.senders.set(null);
  lines.senderForm.set(null);
  button.disabled = true;
  const result = await api('POST', `/senders/${enc(sender.id)}/default`);
  if (result.failed || !result.response.ok) {
    button.disabled = false;
    reportFailure(result, lines.senders);
    return;
  }
  lines.senders.set({ key: 'admin.senders.madeDefault', params: { address: sender.address } }, 'success');
  await Promise.all([loadSenders(), loadAudit()]);
  $('senders-heading').focus();
  if (state.current) schedulePreview(0);
}

async function deleteSender(sender, button) {
  if (!confirm(t('admin.senders.confirmDelete', { address: sender.address }))) return;
  lines.senders.set(null);
  lines.senderForm.set(null);
  button.disabled = true;
  const result = await api('DELETE', `/senders/${enc(sender.id)}`);
  if (result.failed || !result.response.ok) {
    button.disabled = false;
    // A 409 says why (the default, or templates still send from it) in its detail.
    reportFailure(result, lines.senders);
    return;
  }
  lines.senders.set({ key: 'admin.senders.deleted', params: { address: sender.address } }, 'success');
  await Promise.all([loadSenders(), loadAudit()]);
  $('senders-heading').focus();
}

const senderFields = { address: 'sender-address', display_name: 'sender-name', reply_to: 'sender-reply-to' };

$('sender-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const address = $('sender-address').value.trim();
  const replyTo = $('sender-reply-to').value.trim();
  const displayName = $('sender-name').value.trim();
  const local = {
    'sender-address': emailErrors(address).map((key) => ({ key })),
    'sender-name': displayName === '' ? [{ key: 'admin.senders.nameRequired' }] : [],
    'sender-reply-to': replyTo === '' ? [] : emailErrors(replyTo).map((key) => ({ key })),
  };
  for (const [id, errors] of Object.entries(local)) showFieldErrors(id, errors);
  const firstInvalid = Object.keys(local).find((id) => local[id].length > 0);
  if (firstInvalid) {
    lines.senderForm.set({ key: 'admin.senders.fix' });
    $(firstInvalid).focus();
    return;
  }
  lines.senderForm.set(null);
  lines.senders.set(null);
  const button = $('sender-add');
  button.disabled = true;
  const result = await api('POST', '/senders', {
    address,
    display_name: displayName,
    reply_to: replyTo === '' ? null : replyTo,
    is_default: $('sender-default').checked,
  });
  button.disabled = false;
  if (result.failed) {
    reportFailure(result, lines.senderForm);
    return;
  }
  if (result.response.status === 400 && result.data?.errors) {
    let first = null;
    for (const [name, id] of Object.entries(senderFields)) {
      const messages = messagesOf(result.data.errors[name]);
      showFieldErrors(id, messages.map((text) => ({ text })));
      if (messages.length > 0) first ??= id;
    }
    lines.senderForm.set(otherProblems(result.data, Object.keys(senderFields)) ?? { key: 'admin.senders.fix' });
    if (first) $(first).focus();
    return;
  }
  if (!result.response.ok) {
    reportFailure(result, lines.senderForm);
    return;
  }
  event.target.reset();
  lines.senderForm.set({ key: 'admin.senders.added', params: { address } }, 'success');
  await Promise.all([loadSenders(), loadAudit()]);
  if (state.current) schedulePreview(0);
});
