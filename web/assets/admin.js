// The email-template admin page: templates and their versions with a live preview, test sends,
// sender addresses and the recent audit log, over the Notifier's admin API.
//
// The Notifier takes no cookie, only a bearer token: the page trades the Identity session for a
// short-lived admin token (POST /api/auth/token/), renews it a minute before it runs out, and asks
// for a new one once if a call still meets a 401. The token lives in admin-session.js only, never
// in storage, so it goes with the tab.
//
// This module is the page's entry: the language switch and the start (access, signed in and an
// admin: startAdminPage() in admin-session.js). The parts are in admin/:
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
import { startAdminPage } from './admin-session.js';
import { renderMessages } from './admin/messages.js';
import { loadTemplates, renderTemplateHeader, renderTemplates } from './admin/templates.js';
import { renderVariables } from './admin/variables.js';
import { renderVersions } from './admin/versions.js';
import { renderBase, renderSaveButton } from './admin/editor.js';
import { previewFrame, stopPreview } from './admin/preview.js';
import { renderTestDelivery, stopPolling } from './admin/test-send.js';
import { loadSenders, renderSenderChoice, renderSenders } from './admin/senders.js';
import { loadAudit, renderAudit } from './admin/audit.js';

function translateAttributes() {
  previewFrame.title = t('admin.preview.frameTitle');
}

onLangChange(() => {
  translateAttributes();
  renderMessages();
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

translateAttributes();
startAdminPage({
  page: '/admin.html',
  appId: 'admin-app',
  onLost: () => {
    stopPreview();
    stopPolling();
  },
  load: () => Promise.all([loadTemplates(), loadSenders(), loadAudit()]),
});
