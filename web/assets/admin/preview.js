// The live preview: the draft in the fields rendered by the Notifier a moment after the last
// edit, with its From line, subject, HTML (in a sandboxed frame) and text.

import { $, PARTS, api, enc, localeSelect } from './page.js';
import { clearFieldErrors, lines, otherProblems, showTemplateProblems } from './messages.js';
import { readDraft, state } from './state.js';

const PREVIEW_DELAY_MS = 400;

const previewPanel = $('preview');
export const previewFrame = $('preview-html');

let previewTimer = null;
let previewSequence = 0;

export function schedulePreview(delay = PREVIEW_DELAY_MS) {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(runPreview, delay);
}

export function stopPreview() {
  clearTimeout(previewTimer);
}

async function runPreview() {
  if (!state.current) return;
  // Answers can overtake each other: only the one for the latest edit is shown.
  const sequence = ++previewSequence;
  const draft = readDraft();
  if (PARTS.every((part) => draft[part].trim() === '')) {
    showPreview(null);
    lines.preview.set({ key: 'admin.preview.empty' }, 'info');
    return;
  }
  previewPanel.setAttribute('aria-busy', 'true');
  const result = await api('POST', `/templates/${enc(state.current.key)}/preview`, { locale: localeSelect.value, draft });
  if (sequence !== previewSequence) return;
  previewPanel.setAttribute('aria-busy', 'false');
  if (result.failed === 'access') return;
  if (!result.failed && result.response.ok && result.data) {
    clearFieldErrors(...PARTS);
    showPreview(result.data);
    lines.preview.set(null);
    return;
  }
  // Kept on screen but marked: the last good rendering, no longer what the fields say.
  previewPanel.dataset.state = 'stale';
  if (!result.failed && result.response.status === 400 && showTemplateProblems(result.data, 'draft.').length > 0) {
    lines.preview.set({ key: 'admin.preview.stale' });
  } else if (result.failed) {
    lines.preview.set({ key: 'status.network' });
  } else {
    lines.preview.set(otherProblems(result.data, []) ?? { key: 'admin.preview.failed' });
  }
}

function showPreview(rendering) {
  previewPanel.dataset.state = rendering ? 'fresh' : 'empty';
  const from = rendering?.from;
  let fromText = '';
  if (from) {
    fromText = from.display_name ? `${from.display_name} <${from.address}>` : from.address;
    if (from.reply_to) fromText += ` (Reply-To: ${from.reply_to})`;
  }
  $('preview-from').textContent = fromText;
  $('preview-subject').textContent = rendering?.subject ?? '';
  previewFrame.srcdoc = rendering?.html ?? '';
  $('preview-text').textContent = rendering?.text ?? '';
}
