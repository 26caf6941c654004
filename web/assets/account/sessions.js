// The browsers logged in to this account: device, address, when; a button to sign each other
// one out, and one to sign out everywhere else.

import { t, lang, onLangChange } from '../i18n.js';
import { SESSIONS_URL, StatusLine, send, toLogin } from './requests.js';

const section = document.getElementById('sessions-section');
const list = document.getElementById('sessions-list');
const loading = document.getElementById('sessions-loading');
const errorBox = document.getElementById('sessions-error');
const endOthers = document.getElementById('sessions-end-others');
const status = new StatusLine(document.getElementById('sessions-status'), t);

let sessions = [];
let busy = false;

function formatDate(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value ?? '');
  return new Intl.DateTimeFormat(lang() === 'ja' ? 'ja-JP' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

// "Chrome on Windows" / "Windows の Chrome": the names are the server's, the sentence the page's language.
function deviceName(session) {
  const { browser, os } = session;
  if (browser && os) return lang() === 'ja' ? `${os} の ${browser}` : `${browser} on ${os}`;
  return browser || os || t('sessions.unknownDevice');
}

function line(label, value) {
  const row = document.createElement('span');
  row.className = 'session-fact';
  row.textContent = `${t(label)}: ${value}`;
  return row;
}

function render() {
  list.replaceChildren(...sessions.map((session) => {
    const item = document.createElement('li');
    item.className = 'session';
    item.dataset.sessionId = session.id;
    if (session.current) item.classList.add('is-current');

    const name = document.createElement('strong');
    name.className = 'session-device';
    name.textContent = deviceName(session);
    item.append(name);
    if (session.current) {
      const badge = document.createElement('span');
      badge.className = 'tag tag-current';
      badge.textContent = t('sessions.current');
      item.append(' ', badge);
    }

    item.append(
      line('sessions.address', session.client_address || t('sessions.unknownAddress')),
      line('sessions.since', formatDate(session.created_at)),
      line('sessions.lastSeen', formatDate(session.last_seen_at)),
    );

    if (!session.current) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'btn btn-secondary session-end';
      button.textContent = t('sessions.end');
      button.addEventListener('click', () => endOne(session, button));
      item.append(button);
    }
    return item;
  }));
  endOthers.hidden = !sessions.some((session) => !session.current);
}

/** Loads the list again; `clearStatus` drops the last change's message (after a password change, for one). */
export async function loadSessions({ clearStatus = false } = {}) {
  if (clearStatus) status.set(null);
  section.hidden = false;
  loading.hidden = false;
  errorBox.hidden = true;
  let answer;
  try {
    answer = await send('GET', SESSIONS_URL);
  } catch {
    answer = null;
  }
  loading.hidden = true;
  if (answer?.response.status === 401) {
    toLogin();
    return;
  }
  if (!answer?.response.ok || !Array.isArray(answer.data?.sessions)) {
    errorBox.hidden = false;
    return;
  }
  sessions = answer.data.sessions;
  render();
}

async function change(method, url) {
  if (busy) return null;
  busy = true;
  status.set(null);
  try {
    return await send(method, url);
  } catch {
    status.set({ key: 'account.network' });
    return null;
  } finally {
    busy = false;
  }
}

async function endOne(session, button) {
  button.disabled = true;
  button.textContent = t('sessions.ending');
  const answer = await change('DELETE', `${SESSIONS_URL}${encodeURIComponent(session.id)}`);
  if (answer?.response.status === 401) return toLogin();
  // 404: it had ended already, which is what was wanted.
  if (answer && (answer.response.ok || answer.response.status === 404)) status.set({ key: 'sessions.ended' }, 'success');
  else if (answer) status.set({ key: 'sessions.failedEnd' });
  await loadSessions();
}

endOthers.addEventListener('click', async () => {
  endOthers.disabled = true;
  const answer = await change('POST', `${SESSIONS_URL}end-others/`);
  endOthers.disabled = false;
  if (answer?.response.status === 401) return toLogin();
  if (answer?.response.ok) status.set({ key: 'sessions.endedOthers', params: { n: answer.data?.ended ?? 0 } }, 'success');
  else if (answer) status.set({ key: 'sessions.failedEnd' });
  await loadSessions();
});

document.getElementById('sessions-retry').addEventListener('click', () => loadSessions());

onLangChange(() => {
  render();
  status.render();
});
