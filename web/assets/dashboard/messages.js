// Feedback on the dashboard: status lines that keep their message across language switches, and
// how an API problem (a 400's errors, a detail, a network failure) is put on one of them.

import { t } from '../i18n.js';
import { $ } from './page.js';

/** A line of feedback that keeps its message (a key and params, or a server's text) across language switches. */
export class StatusLine {
  static all = [];

  constructor(element) {
    this.element = element;
    this.message = null;
    StatusLine.all.push(this);
  }

  set(message, kind = 'error') {
    this.message = message ? { ...message, kind } : null;
    this.render();
  }

  render() {
    const m = this.message;
    this.element.textContent = m ? (m.text ?? t(m.key, m.params)) : '';
    for (const kind of ['error', 'info', 'success']) this.element.classList.toggle(`is-${kind}`, m?.kind === kind);
  }
}

export const lines = {
  failures: new StatusLine($('failures-status')),
  suppressions: new StatusLine($('suppressions-status')),
  search: new StatusLine($('search-status-line')),
  detail: new StatusLine($('detail-status')),
};

function problemText(problem) {
  const texts = Object.values(problem?.errors ?? {}).flat().filter((m) => typeof m === 'string');
  if (texts.length === 0 && typeof problem?.detail === 'string') texts.push(problem.detail);
  return texts.length > 0 ? { text: texts.join(' ') } : null;
}

export function reportFailure(result, line, fallbackKey = 'admin.generic') {
  if (result.failed === 'access') return;
  if (result.failed === 'network') {
    line.set({ key: 'status.network' });
    return;
  }
  line.set(problemText(result.data) ?? { key: fallbackKey });
}
