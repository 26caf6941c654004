// The open account's profile: industry, sales experience, purpose and the language of its emails,
// checked with the sign-up's rules (validation.js) before sending; the server's field messages
// (in the page's language) take their place when it disagrees.

import { t, onLangChange } from '../i18n.js';
import { choiceLabel, fetchChoices } from '../api.js';
import { industryErrors, purposeErrors, salesExperienceErrors } from '../validation.js';
import { $, IDENTITY, StatusLine, api, isBusy, problemText, reportFailure, setBusy } from './page.js';
import { account } from './account.js';
import { loadAccountAudit, loadAudit } from './audit.js';

const FIELDS = ['industry', 'sales_experience', 'purpose', 'locale'];
const input = (field) => $(`profile-${field}`);
const line = new StatusLine($('profile-status'));

let choices = null;
let shown = null; // the profile as the server last answered it
const errors = {}; // field → [{ key } or { text }]

export async function loadChoices() {
  try {
    choices = await fetchChoices();
  } catch {
    choices = null;
  }
  renderChoices();
}

function fillSelect(select, list, emptyKey) {
  const selected = select.value;
  const empty = new Option(t(emptyKey), '');
  select.replaceChildren(empty, ...(list ?? []).map((choice) => new Option(choiceLabel(choice), choice.value)));
  // A value the list does not know (an old choice) stays visible rather than silently changing.
  if (selected && ![...select.options].some((o) => o.value === selected)) select.add(new Option(selected, selected));
  select.value = selected;
}

function renderChoices() {
  fillSelect(input('industry'), choices?.industries, 'industry.placeholder');
  fillSelect(input('sales_experience'), choices?.sales_experiences, 'sales.none');
}

/** Shows `user`'s profile in the form (dropping unsaved edits and old messages). */
export function fillProfile(user) {
  shown = user.profile ?? { industry: '', sales_experience: null, purpose: null, locale: 'ja' };
  renderChoices();
  for (const field of FIELDS) {
    const select = input(field);
    const value = shown[field] ?? '';
    if (select.tagName === 'SELECT' && value && ![...select.options].some((o) => o.value === value)) select.add(new Option(value, value));
    select.value = value;
    errors[field] = [];
  }
  line.set(null);
  renderErrors();
}

function check() {
  const allowed = (list) => (choices ? choices[list].map((c) => c.value) : null);
  errors.industry = industryErrors(input('industry').value, allowed('industries')).map((key) => ({ key }));
  errors.sales_experience = salesExperienceErrors(input('sales_experience').value, allowed('sales_experiences')).map((key) => ({ key }));
  errors.purpose = purposeErrors(input('purpose').value).map((key) => ({ key }));
  errors.locale = [];
  renderErrors();
  return FIELDS.filter((field) => errors[field].length > 0);
}

function renderErrors() {
  for (const field of FIELDS) {
    const box = $(`profile-${field}-error`);
    const messages = errors[field] ?? [];
    box.replaceChildren(...messages.map((m) => {
      const p = document.createElement('p');
      p.textContent = m.text ?? t(m.key);
      return p;
    }));
    input(field).setAttribute('aria-invalid', String(messages.length > 0));
  }
}

$('profile-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const user = account.user;
  const button = $('profile-save');
  if (!user || isBusy(button)) return;
  const invalid = check();
  if (invalid.length > 0) {
    line.set({ key: 'status.fix' });
    input(invalid[0]).focus();
    return;
  }
  // Only what changed is sent: the audit then names exactly what the admin changed.
  const body = {};
  for (const field of FIELDS) {
    const value = input(field).value.trim();
    if (value !== (shown[field] ?? '')) body[field] = value;
  }
  if (Object.keys(body).length === 0) {
    line.set({ key: 'users.profile.unchanged' }, 'info');
    return;
  }
  setBusy(button, true);
  const result = await api('PATCH', `${IDENTITY}/${user.id}/profile`, body);
  setBusy(button, false);
  if (!result.failed && result.response.status === 400 && result.data?.errors) {
    for (const field of FIELDS) errors[field] = (result.data.errors[field] ?? []).map((text) => ({ text }));
    renderErrors();
    line.set(problemText({ detail: result.data.detail }) ?? { key: 'status.fix' });
    const first = FIELDS.find((field) => errors[field].length > 0);
    if (first) input(first).focus();
    return;
  }
  if (result.failed || !result.response.ok) {
    reportFailure(result, line);
    return;
  }
  user.profile = result.data;
  fillProfile(user);
  line.set({ key: 'users.profile.saved' }, 'success');
  loadAccountAudit(user.id);
  loadAudit();
});

onLangChange(() => {
  renderChoices();
  renderErrors();
});
