// One endpoint: its settings (URL, description, events), enable/disable, a test event, a new
// secret, deletion; its delivery log is in log.js.

import { t } from '../i18n.js';
import {
  $, API, StatusLine, api, chosenEvents, clearFieldErrors, enc, isBusy, renderEventChoices, reportFailure, setBusy, showFieldErrors, stateBadge,
} from './page.js';
import { showSecret, updateListed } from './list.js';
import { clearLog, loadLog } from './log.js';

let current = null;
const line = new StatusLine($('endpoint-status'));
const editLine = new StatusLine($('edit-status'));

export function currentEndpoint() {
  return current;
}

export function openEndpoint(endpoint) {
  current = endpoint;
  line.set(null);
  editLine.set(null);
  clearFieldErrors('edit');
  $('edit-url').value = endpoint.url;
  $('edit-description').value = endpoint.description ?? '';
  renderEventChoices($('edit-events'), 'edit', endpoint.events);
  renderEndpoint();
  $('endpoint').hidden = false;
  $('endpoint-heading').focus();
  clearLog();
  loadLog(false);
}

export function closeEndpoint() {
  current = null;
  $('endpoint').hidden = true;
  clearLog();
}

export function renderEndpoint() {
  if (!current) return;
  $('endpoint-heading').textContent = current.url;
  $('endpoint-state').replaceChildren(stateBadge(current));
  $('endpoint-toggle').textContent = t(current.enabled ? 'hooks.action.disable' : 'hooks.action.enable');
  renderEventChoices($('edit-events'), 'edit', chosenEvents($('edit-events')));
}

function changed(endpoint) {
  current = endpoint;
  updateListed(endpoint.id, endpoint);
  renderEndpoint();
}

async function save(event) {
  event.preventDefault();
  const button = $('edit-save');
  if (!current || isBusy(button)) return;
  clearFieldErrors('edit');
  editLine.set(null);
  const body = { url: $('edit-url').value.trim(), description: $('edit-description').value.trim(), events: chosenEvents($('edit-events')) };
  setBusy(button, true);
  const result = await api('PUT', `${API}/${enc(current.id)}`, body);
  setBusy(button, false);
  if (result.failed || !result.response.ok) {
    if (!result.failed && showFieldErrors('edit', result.data)) {
      editLine.set({ key: 'hooks.create.invalid' });
      return;
    }
    reportFailure(result, editLine, 'hooks.edit.failed');
    return;
  }
  changed(result.data);
  editLine.set({ key: 'hooks.edit.done' }, 'success');
}

async function act(button, call, done) {
  if (!current || isBusy(button)) return;
  line.set(null);
  setBusy(button, true);
  const result = await call(current);
  setBusy(button, false);
  if (result.failed || !result.response.ok) {
    reportFailure(result, line);
    return;
  }
  done(result.data);
}

$('edit-form').addEventListener('submit', save);
$('endpoint-close').addEventListener('click', closeEndpoint);

$('endpoint-toggle').addEventListener('click', (event) => act(event.currentTarget,
  (e) => api('PUT', `${API}/${enc(e.id)}`, { enabled: !e.enabled }),
  (endpoint) => {
    changed(endpoint);
    line.set({ key: endpoint.enabled ? 'hooks.enabled' : 'hooks.disabled' }, 'success');
  }));

$('endpoint-test').addEventListener('click', (event) => act(event.currentTarget,
  (e) => api('POST', `${API}/${enc(e.id)}/test`),
  () => {
    line.set({ key: 'hooks.tested' }, 'success');
    loadLog(false, true);
  }));

$('endpoint-rotate').addEventListener('click', (event) => {
  if (!current || !window.confirm(t('hooks.rotate.confirm', { url: current.url }))) return;
  act(event.currentTarget, (e) => api('POST', `${API}/${enc(e.id)}/rotate-secret`), (rotated) => {
    const { secret, ...endpoint } = rotated;
    changed(endpoint);
    line.set({ key: 'hooks.rotated' }, 'success');
    showSecret(rotated);
  });
});

$('endpoint-delete').addEventListener('click', (event) => {
  if (!current || !window.confirm(t('hooks.delete.confirm', { url: current.url }))) return;
  const id = current.id;
  act(event.currentTarget, (e) => api('DELETE', `${API}/${enc(e.id)}`), () => {
    updateListed(id, null);
    closeEndpoint();
  });
});
