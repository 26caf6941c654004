// The endpoints: the list, the form that adds one, and the secret shown once after adding (or rotating).

import { t } from '../i18n.js';
import {
  $, API, StatusLine, api, cell, chosenEvents, clearFieldErrors, el, isBusy, renderEventChoices, reportFailure, setBusy, showFieldErrors,
  stateBadge, timeElement,
} from './page.js';
import { openEndpoint } from './endpoint.js';

const state = { endpoints: null, secret: null };
const line = new StatusLine($('list-status'));
const createLine = new StatusLine($('create-status'));
const secretLine = new StatusLine($('secret-status'));

export async function loadEndpoints() {
  const result = await api('GET', `${API}/`);
  if (result.failed || !result.response.ok || !Array.isArray(result.data)) {
    reportFailure(result, line, 'hooks.list.failed');
    return;
  }
  state.endpoints = result.data;
  renderEndpoints();
}

/** Puts a changed endpoint back in the list (null `endpoint`: removes the one with `id`). */
export function updateListed(id, endpoint) {
  if (!state.endpoints) return;
  const index = state.endpoints.findIndex((e) => e.id === id);
  if (endpoint && index >= 0) state.endpoints[index] = endpoint;
  else if (endpoint) state.endpoints.push(endpoint);
  else if (index >= 0) state.endpoints.splice(index, 1);
  renderEndpoints();
}

export function renderEndpoints() {
  if (!state.endpoints) return;
  $('list-box').hidden = state.endpoints.length === 0;
  line.set(state.endpoints.length === 0 ? { key: 'hooks.list.empty' } : { key: 'hooks.list.count', params: { n: state.endpoints.length } }, 'info');
  $('endpoints').tBodies[0].replaceChildren(...state.endpoints.map((endpoint) => {
    const row = el('tr');
    row.dataset.id = endpoint.id;
    const url = el('td', 'hook-url');
    url.append(el('span', '', endpoint.url));
    if (endpoint.description) url.append(el('span', 'hint hook-description', endpoint.description));
    const open = el('button', 'btn btn-secondary btn-small hook-open', t('hooks.open'));
    open.type = 'button';
    open.setAttribute('aria-label', t('hooks.openLabel', { url: endpoint.url }));
    open.addEventListener('click', () => openEndpoint(endpoint));
    row.append(url, cell(endpoint.events.join(', '), 'hook-events-cell'), cell(stateBadge(endpoint)), cell(timeElement(endpoint.created_at), 'nowrap'), cell(open));
    return row;
  }));
}

/** Shows a secret once: after adding an endpoint or rotating its secret. */
export function showSecret(endpoint) {
  state.secret = { url: endpoint.url };
  $('secret-value').textContent = endpoint.secret;
  secretLine.set(null);
  renderSecret();
  $('secret-box').hidden = false;
  $('secret-heading').focus();
}

export function renderSecret() {
  if (state.secret) $('secret-for').textContent = t('hooks.secret.for', { url: state.secret.url });
}

function hideSecret() {
  state.secret = null;
  $('secret-value').textContent = '';
  $('secret-box').hidden = true;
}

async function copySecret() {
  const text = $('secret-value').textContent;
  try {
    await navigator.clipboard.writeText(text);
    secretLine.set({ key: 'hooks.secret.copied' }, 'success');
  } catch {
    // No clipboard (an insecure origin, a refused permission): select it for a manual copy.
    const range = document.createRange();
    range.selectNodeContents($('secret-value'));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    secretLine.set({ key: 'hooks.secret.select' }, 'info');
  }
}

async function create(event) {
  event.preventDefault();
  const button = $('create-submit');
  if (isBusy(button)) return;
  clearFieldErrors('create');
  createLine.set(null);
  const body = {
    url: $('create-url').value.trim(),
    description: $('create-description').value.trim(),
    events: chosenEvents($('create-events')),
  };
  setBusy(button, true);
  const result = await api('POST', `${API}/`, body);
  setBusy(button, false);
  if (result.failed || !result.response.ok) {
    if (!result.failed && showFieldErrors('create', result.data)) {
      createLine.set({ key: 'hooks.create.invalid' });
      return;
    }
    reportFailure(result, createLine, 'hooks.create.failed');
    return;
  }
  const created = result.data;
  $('create-form').reset();
  renderEventChoices($('create-events'), 'create', []);
  createLine.set({ key: 'hooks.create.done', params: { url: created.url } }, 'success');
  const { secret, ...endpoint } = created;
  updateListed(created.id, endpoint);
  showSecret(created);
}

export function renderCreateForm() {
  renderEventChoices($('create-events'), 'create', chosenEvents($('create-events')));
}

$('create-form').addEventListener('submit', create);
$('secret-copy').addEventListener('click', copySecret);
$('secret-done').addEventListener('click', hideSecret);
$('list-refresh').addEventListener('click', loadEndpoints);
renderEventChoices($('create-events'), 'create', ['bounced', 'complained', 'failed']);
