// Feedback on the dashboard: status lines that keep their message across language switches, and
// how an API problem (a 400's errors, a detail, a network failure) is put on one of them.

import { $ } from './page.js';
import { StatusLine } from '../admin-messages.js';

export { StatusLine };

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
