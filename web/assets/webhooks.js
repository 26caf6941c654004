// The outcome webhooks admin page: register HTTPS endpoints that are told, by a signed JSON POST,
// when an email is delivered, bounced, complained about, deferred, failed or suppressed; see each
// endpoint's delivery log with every attempt; send a test event; rotate a secret; retry a failed
// event.
//
// Like the other admin pages it trades the Identity session for a short-lived admin token
// (startAdminPage() in admin-session.js), which opens the Notifier's /notifier/api/admin/webhooks.
//
// This module is the page's entry: the language switch and the start. The parts are in webhooks/:
//   page.js      elements, the API, status lines, field errors, dates, badges, event checkboxes
//   list.js      the endpoint list, the form that adds one, the secret shown once
//   endpoint.js  the open endpoint: settings and actions
//   log.js       its delivery log with attempts and retries
// The parts call each other only from event handlers and API answers, never while loading, so
// the imports between them may go both ways.

import { onLangChange } from './i18n.js';
import { startAdminPage } from './admin-session.js';
import { StatusLine } from './webhooks/page.js';
import { loadEndpoints, renderCreateForm, renderEndpoints, renderSecret } from './webhooks/list.js';
import { closeEndpoint, renderEndpoint } from './webhooks/endpoint.js';
import { renderLog } from './webhooks/log.js';

onLangChange(() => {
  for (const line of StatusLine.all) line.render();
  renderEndpoints();
  renderCreateForm();
  renderSecret();
  renderEndpoint();
  renderLog();
});

startAdminPage({
  page: '/webhooks.html',
  appId: 'hooks-app',
  onLost: closeEndpoint,
  load: loadEndpoints,
});
