// Feedback on the admin page: status lines that keep their message across language switches,
// errors under fields (with a jump to where a template problem is), and how an API problem
// (a 400's errors and template_problems, a detail) is spread over them.

import { t } from '../i18n.js';
import { $, PARTS } from './page.js';
import { StatusLine } from '../admin-messages.js';

export { StatusLine };

export const lines = {
  templates: new StatusLine($('templates-status')),
  templateSender: new StatusLine($('template-sender-status')),
  preview: new StatusLine($('preview-state')),
  save: new StatusLine($('save-status')),
  versions: new StatusLine($('versions-status')),
  senders: new StatusLine($('senders-status')),
  senderForm: new StatusLine($('sender-form-status')),
  audit: new StatusLine($('audit-status')),
};

/** Field errors as { key, params } or { text }, with where to jump for a located template problem. */
const fieldErrors = new Map();

export function showFieldErrors(id, errors) {
  const input = $(id);
  const box = $(`${id}-error`);
  fieldErrors.set(id, errors);
  box.replaceChildren(...errors.map((error) => {
    const line = document.createElement('p');
    const text = document.createElement('span');
    text.append(error.text ?? t(error.key, error.params));
    line.append(text);
    if (error.at) {
      const jump = document.createElement('button');
      jump.type = 'button';
      jump.className = 'link-button problem-jump';
      jump.textContent = t('admin.problem.goto');
      jump.setAttribute('aria-label', t('admin.problem.gotoLabel', error.at));
      jump.addEventListener('click', () => moveCursor(input, error.at.line, error.at.column));
      text.append(' ', jump);
    }
    return line;
  }));
  if (errors.length > 0) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

export function clearFieldErrors(...ids) {
  for (const id of ids) showFieldErrors(id, []);
}

/** Shows every status line and field error again, in the current language. */
export function renderMessages() {
  for (const line of StatusLine.all) line.render();
  for (const [id, errors] of fieldErrors) showFieldErrors(id, errors);
}

/** Puts the cursor at a 1-based line and column of a field, where a template problem is. */
function moveCursor(input, line, column) {
  const rows = input.value.split('\n');
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, rows.length - 1); i++) offset += rows[i].length + 1;
  offset += Math.max(0, column - 1);
  input.focus();
  input.setSelectionRange(offset, offset);
}

/**
 * Shows a 400's problems under the template fields. `prefix` is how the API names the parts:
 * "draft." for a preview or test send, nothing for a saved version. Returns the fields with problems.
 */
export function showTemplateProblems(problem, prefix) {
  const invalid = [];
  for (const part of PARTS) {
    const located = (problem?.template_problems ?? []).filter((p) => p.part === prefix + part);
    const errors = located.length > 0
      ? located.map((p) => ({
        key: 'admin.problemAt',
        params: { line: p.line, column: p.column, message: p.message },
        at: { line: p.line, column: p.column },
      }))
      : messagesOf(problem?.errors?.[prefix + part]).map((text) => ({ text }));
    showFieldErrors(part, errors);
    if (errors.length > 0) invalid.push(part);
  }
  return invalid;
}

export function messagesOf(value) {
  return (Array.isArray(value) ? value : value ? [value] : []).filter((m) => typeof m === 'string');
}

/** The messages of a problem that belong to none of `known` fields (or its detail), as one text. */
export function otherProblems(problem, known) {
  const texts = Object.entries(problem?.errors ?? {})
    .filter(([name]) => !known.includes(name))
    .flatMap(([, messages]) => messagesOf(messages));
  if (texts.length === 0 && typeof problem?.detail === 'string') texts.push(problem.detail);
  return texts.length > 0 ? { text: texts.join(' ') } : null;
}

/** Says why a call failed on `line` (nothing for 'access': the page has been replaced). */
export function reportFailure(result, line, fallbackKey = 'admin.generic') {
  if (result.failed === 'access') return;
  if (result.failed === 'network') {
    line.set({ key: 'status.network' });
    return;
  }
  line.set(otherProblems(result.data, []) ?? { key: fallbackKey });
}
