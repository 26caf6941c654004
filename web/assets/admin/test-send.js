// A test send of the draft (or of the saved version it still equals) to one address, then the
// delivery's status, followed until it settles or two minutes pass.

import { t } from '../i18n.js';
import { emailErrors } from '../validation.js';
import { $, api, enc, localeSelect } from './page.js';
import { clearFieldErrors, lines, messagesOf, otherProblems, showFieldErrors, showTemplateProblems } from './messages.js';
import { isDirty, readDraft, state } from './state.js';
import { loadAudit } from './audit.js';

const POLL_INTERVAL_MS = 1000;
const POLL_LIMIT_MS = 120_000;
// The mail server accepting it ('sent') is enough for a test send; its later fate shows too.
const FINAL_STATUSES = ['sent', 'delivered', 'bounced', 'failed', 'abandoned', 'suppressed'];

let pollTimer = null;
let testDelivery = null; // { id, status, detail, startedAt }

export function stopPolling() {
  clearTimeout(pollTimer);
}

$('test-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!state.current) return;
  const input = $('test-to');
  const to = input.value.trim();
  const problems = emailErrors(to);
  if (problems.length > 0) {
    showFieldErrors('test-to', [{ key: problems[0] }]);
    input.focus();
    return;
  }
  clearFieldErrors('test-to');
  const button = $('test-send');
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  // A saved version goes by its number, so the delivery records which version it was.
  const what = state.base && !isDirty() ? { version: state.base.version } : { draft: readDraft() };
  const result = await api('POST', `/templates/${enc(state.current.key)}/test-send`, { to, locale: localeSelect.value, ...what });
  button.disabled = false;
  button.setAttribute('aria-busy', 'false');
  if (result.failed) {
    showFieldErrors('test-to', result.failed === 'network' ? [{ key: 'status.network' }] : []);
    return;
  }
  if (result.response.status === 400) {
    const toErrors = messagesOf(result.data?.errors?.to);
    if (toErrors.length > 0) {
      showFieldErrors('test-to', toErrors.map((text) => ({ text })));
      input.focus();
      return;
    }
    if (showTemplateProblems(result.data, 'draft.').length > 0) {
      lines.preview.set({ key: 'admin.preview.stale' });
      return;
    }
  }
  if (!result.response.ok || typeof result.data?.delivery_id !== 'string') {
    const other = otherProblems(result.data, []);
    showFieldErrors('test-to', [other ?? { key: 'admin.generic' }]);
    return;
  }
  clearTimeout(pollTimer);
  testDelivery = { id: result.data.delivery_id, status: result.data.status ?? 'queued', detail: null, startedAt: Date.now() };
  renderTestDelivery();
  pollTimer = setTimeout(pollDelivery, POLL_INTERVAL_MS);
  loadAudit();
});

async function pollDelivery() {
  const delivery = testDelivery;
  if (!delivery) return;
  // The id comes from the response body: the status_url the API gives is relative to the
  // template it was sent from, not to the admin API's root.
  const result = await api('GET', `/deliveries/${enc(delivery.id)}`);
  if (delivery !== testDelivery) return;
  if (!result.failed && result.response.ok && result.data) {
    delivery.status = result.data.status;
    delivery.detail = result.data.last_error ?? null;
    renderTestDelivery();
  }
  if (FINAL_STATUSES.includes(delivery.status) || result.failed === 'access') return;
  if (Date.now() - delivery.startedAt > POLL_LIMIT_MS) {
    delivery.timedOut = true;
    renderTestDelivery();
    return;
  }
  pollTimer = setTimeout(pollDelivery, POLL_INTERVAL_MS);
}

export function renderTestDelivery() {
  const delivery = testDelivery;
  $('test-result').hidden = !delivery;
  if (!delivery) return;
  $('test-delivery').textContent = delivery.id;
  const status = $('test-status');
  status.dataset.status = delivery.status;
  const label = t(`admin.delivery.${delivery.status}`);
  status.textContent = label.startsWith('admin.') ? delivery.status : label;
  status.classList.toggle('is-error', ['failed', 'abandoned', 'bounced', 'suppressed'].includes(delivery.status));
  status.classList.toggle('is-success', ['sent', 'delivered'].includes(delivery.status));
  $('test-detail').textContent = delivery.timedOut ? t('admin.test.timeout') : (delivery.detail ?? '');
}
