// The users admin page: find accounts by the start of a name or address and by state, open one
// to see its profile, sessions, roles, the emails sent to its address with each one's fate and
// its audit, and change it (resend the verification, deactivate or reactivate, grant or take the
// admin role, edit the profile). Every change is audited by Identity; the audit of all accounts
// is listed at the bottom.
//
// Like the other admin pages it trades the Identity session for a short-lived admin token
// (POST /api/auth/token/, kept in admin-session.js only): the same token opens Identity's
// /api/admin/users and the Notifier's /notifier/api/admin/deliveries.
//
// This module is the page's entry: the language switch and the start (access, signed in and an
// admin: startAdminPage() in admin-session.js). The parts are in users/:
//   page.js      elements, the two APIs, status lines, problems, dates and state badges
//   list.js      the search and the account list
//   account.js   the open account: facts and actions
//   profile.js   its profile form (the sign-up's rules)
//   history.js   its sessions and the emails to its address
//   audit.js     its audit and the audit of all accounts
// The parts call each other only from event handlers and API answers, never while loading, so
// the imports between them may go both ways.

import { onLangChange } from './i18n.js';
import { startAdminPage } from './admin-session.js';
import { StatusLine } from './users/page.js';
import { loadUsers, renderUsers } from './users/list.js';
import { renderAccount } from './users/account.js';
import { loadChoices } from './users/profile.js';
import { renderEmails, renderSessions } from './users/history.js';
import { loadAudit, renderAccountAudit, renderAudit } from './users/audit.js';

onLangChange(() => {
  for (const line of StatusLine.all) line.render();
  renderUsers();
  renderAccount();
  renderSessions();
  renderEmails();
  renderAccountAudit();
  renderAudit();
});

startAdminPage({
  page: '/users.html',
  appId: 'users-app',
  load: () => Promise.all([loadChoices(), loadUsers(false), loadAudit(false)]),
});
