// Watches the fate of the email the last sign-up or resend from this browser caused, and says
// so when it could not be delivered: "unreachable" (a mistyped address, a mailbox that does not
// exist) or "delayed" (the recipient's provider is not taking our mail right now: our problem,
// the address is fine, a resend later may work). The server only ever answers "pending",
// "unreachable" or "delayed" for this browser's own request; both failures are final for that
// email, so watching stops until the next resend.
import { t, onLangChange } from './i18n.js';

const INTERVAL_MS = 3000;
const GIVE_UP_MS = 3 * 60 * 1000;

let timer = null;
let shown = null;
let target = null;

onLangChange(() => {
  if (target) render(target);
});

function render(element) {
  if (!shown) {
    element.hidden = true;
    element.textContent = '';
    return;
  }
  element.hidden = false;
  const message = shown.state === 'delayed' ? 'mailStatus.delayed' : 'mailStatus.unreachable';
  element.textContent = t(message) + (shown.detail ? ` ${t('mailStatus.code', { code: shown.detail })}` : '');
}

// Starts (or restarts, after a resend) watching; `element` shows the warning (role="alert").
export function watchMailStatus(element) {
  clearTimeout(timer);
  shown = null;
  target = element;
  render(element);
  const started = Date.now();
  const poll = async () => {
    try {
      const response = await fetch('/api/auth/email-status/', { credentials: 'same-origin', cache: 'no-store' });
      if (response.ok) {
        const status = await response.json();
        if (status.state === 'unreachable' || status.state === 'delayed') {
          shown = { state: status.state, detail: status.detail };
          render(element);
          return;
        }
      }
    } catch {
      // Offline for a moment: try again on the next tick.
    }
    if (Date.now() - started < GIVE_UP_MS) timer = setTimeout(poll, INTERVAL_MS);
  };
  timer = setTimeout(poll, INTERVAL_MS / 3);
}
