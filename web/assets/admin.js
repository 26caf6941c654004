// The email-template admin page: templates and their versions with a live preview, test sends,
// sender addresses and the recent audit log, over the Notifier's admin API.
//
// The Notifier takes no cookie, only a bearer token: the page trades the Identity session for a
// short-lived admin token (POST /api/auth/token/), renews it a minute before it runs out, and asks
// for a new one once if a call still meets a 401. The token lives in admin-session.js only, never
// in storage, so it goes with the tab.
//
// This module is the page's entry: access (signed in, an admin), the language switch and the
// start. The parts are in admin/:
//   page.js        elements, the admin API call, table and badge builders
//   messages.js    status lines, field errors, how an API problem is shown
//   state.js       the selected template and the version the editor started from
//   templates.js   the template list and picking one
//   variables.js   the template's variables, inserted where the cursor is
//   versions.js    the versions of a language: the table, viewing and activating one
//   editor.js      the fields, what they are based on, saving a version
//   preview.js     the live preview of the draft
//   test-send.js   a test send and its delivery status
//   senders.js     sender addresses and the template's sender
//   audit.js       the recent audit log
// The parts call each other only from event handlers and API answers, never while loading, so
// the imports between them may go both ways.

import { t, onLangChange } from './i18n.js';
import { ME_URL, getJson } from './api.js';
import { AccessLost, forgetToken, renewToken, whenAccessLost } from './admin-session.js';
import { $ } from './admin/page.js';
import { renderMessages } from './admin/messages.js';
import { loadTemplates, renderTemplateHeader, renderTemplates } from './admin/templates.js';
import { renderVariables } from './admin/variables.js';
import { renderVersions } from './admin/versions.js';
import { renderBase, renderSaveButton } from './admin/editor.js';
import { previewFrame, stopPreview } from './admin/preview.js';
import { renderTestDelivery, stopPolling } from './admin/test-send.js';
import { loadSenders, renderSenderChoice, renderSenders } from './admin/senders.js';
import { loadAudit, renderAudit } from './admin/audit.js';

const LOGIN_PAGE = `/login.html?next=${encodeURIComponent('/admin.html')}`;

function showAccess(state) {
  $('admin-loading').hidden = state !== 'loading';
  $('access-signed-out').hidden = state !== 'signedOut';
  $('access-forbidden').hidden = state !== 'forbidden';
  $('access-error').hidden = state !== 'error';
  $('admin-app').hidden = state !== 'ready';
}

function accessFailed(error) {
  forgetToken();
  stopPreview();
  stopPolling();
  showAccess(error instanceof AccessLost ? error.reason : 'error');
}

whenAccessLost(accessFailed);

let signedInAs = null;

function renderSignedIn() {
  const line = $('admin-signed-in');
  line.hidden = !signedInAs;
  line.textContent = signedInAs ? t('admin.signedInAs', { username: signedInAs }) : '';
}

async function start() {
  showAccess('loading');
  try {
    await renewToken();
  } catch (error) {
    accessFailed(error);
    return;
  }
  showAccess('ready');
  getJson(ME_URL).then(({ response, data }) => {
    if (response.ok && typeof data?.username === 'string') {
      signedInAs = data.username;
      renderSignedIn();
    }
  }).catch(() => {});
  await Promise.all([loadTemplates(), loadSenders(), loadAudit()]);
}

function translateAttributes() {
  previewFrame.title = t('admin.preview.frameTitle');
  $('access-login').href = LOGIN_PAGE;
}

onLangChange(() => {
  translateAttributes();
  renderMessages();
  renderSignedIn();
  renderTemplates();
  renderTemplateHeader();
  renderVariables();
  renderSenderChoice();
  renderBase();
  renderVersions();
  renderTestDelivery();
  renderSenders();
  renderAudit();
  renderSaveButton();
});

$('access-retry').addEventListener('click', start);

translateAttributes();
start();
