// Feedback shared by the admin pages (admin.html, dashboard.html, users.html): a status line that
// keeps its message across language switches. Each page loads its own, so StatusLine.all holds
// only that page's lines.

import { t } from './i18n.js';

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
