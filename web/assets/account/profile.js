// Editing the profile: the sign-up's fields and checks (validation.js), the server's messages
// beside their fields, and the details above updated once saved.

import { t, onLangChange } from '../i18n.js';
import { choiceLabel } from '../api.js';
import { industryErrors, salesExperienceErrors, purposeErrors } from '../validation.js';
import { PROFILE_URL, StatusLine, problemErrors, send, showFieldErrors, toLogin } from './requests.js';

const FIELDS = ['industry', 'sales_experience', 'purpose', 'locale'];

const section = document.getElementById('profile-section');
const form = document.getElementById('profile-form');
const submit = document.getElementById('profile-submit');
const inputs = Object.fromEntries(FIELDS.map((f) => [f, document.getElementById(f)]));
const boxes = Object.fromEntries(FIELDS.map((f) => [f, document.getElementById(`${f}-error`)]));
const status = new StatusLine(document.getElementById('profile-status'), t);

let choices = null;
let onSaved = () => {};
let sending = false;
const errors = {}; // field -> { keys } (the page's, re-translated) or { texts } (the server's)

function fillSelect(select, list, value, withEmpty) {
  const options = list.map((choice) => {
    const option = document.createElement('option');
    option.value = choice.value;
    option.textContent = choiceLabel(choice);
    return option;
  });
  if (withEmpty) {
    const empty = document.createElement('option');
    empty.value = '';
    empty.textContent = '—';
    options.unshift(empty);
  }
  select.replaceChildren(...options);
  select.value = value ?? '';
}

function renderChoices() {
  fillSelect(inputs.industry, choices.industries, inputs.industry.value, false);
  fillSelect(inputs.sales_experience, choices.sales_experiences, inputs.sales_experience.value, true);
}

function clientErrors(field) {
  const value = inputs[field].value;
  if (field === 'industry') return industryErrors(value, choices.industries.map((c) => c.value));
  if (field === 'sales_experience') return salesExperienceErrors(value, choices.sales_experiences.map((c) => c.value));
  if (field === 'purpose') return purposeErrors(value);
  return [];
}

function setErrors(field, value) {
  errors[field] = value;
  const messages = value.texts ?? value.keys.map((key) => t(key));
  showFieldErrors(inputs[field], boxes[field], messages);
}

function setSending(value) {
  sending = value;
  submit.disabled = value;
  submit.setAttribute('aria-busy', String(value));
  submit.textContent = t(value ? 'profile.saving' : 'profile.save');
}

// Keep the focus where it is when the button is pressed: a check on leaving a field would add or
// remove a message above the button, move it from under the pointer and swallow the click.
submit.addEventListener('mousedown', (event) => event.preventDefault());

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (sending) return;
  const invalid = FIELDS.filter((field) => {
    const keys = clientErrors(field);
    setErrors(field, { keys });
    return keys.length > 0;
  });
  if (invalid.length > 0) {
    status.set({ key: 'profile.fix' });
    inputs[invalid[0]].focus();
    return;
  }

  const body = {
    industry: inputs.industry.value,
    sales_experience: inputs.sales_experience.value === '' ? null : inputs.sales_experience.value,
    purpose: inputs.purpose.value.trim() === '' ? null : inputs.purpose.value,
    locale: inputs.locale.value,
  };
  status.set(null);
  setSending(true);
  let answer;
  try {
    answer = await send('PUT', PROFILE_URL, body);
  } catch {
    setSending(false);
    status.set({ key: 'account.network' });
    return;
  }
  setSending(false);
  const { response, data } = answer;
  if (response.status === 401) {
    toLogin();
  } else if (response.ok && data) {
    status.set({ key: 'profile.saved' }, 'success');
    onSaved(data);
  } else if (response.status === 400) {
    const byField = problemErrors(data);
    const shown = FIELDS.filter((field) => byField[field]?.length);
    for (const field of shown) setErrors(field, { texts: byField[field] });
    const other = Object.keys(byField).filter((name) => !FIELDS.includes(name)).flatMap((name) => byField[name]);
    status.set(other.length > 0 ? { text: other.join(' ') } : { key: 'profile.fix' });
    if (shown.length > 0) inputs[shown[0]].focus();
  } else {
    status.set({ key: 'account.generic' });
  }
});

for (const field of FIELDS) {
  inputs[field].addEventListener('change', () => setErrors(field, { keys: clientErrors(field) }));
}

onLangChange(() => {
  if (!choices) return;
  renderChoices();
  for (const field of FIELDS) if (errors[field]?.keys) setErrors(field, errors[field]);
  status.render();
  setSending(sending);
});

/** Shows the form filled with `account` (the body of /api/auth/me/); `saved(profile)` is called after each save. */
export function startProfile(account, loadedChoices, saved) {
  if (!loadedChoices) return;
  choices = loadedChoices;
  onSaved = saved;
  fillSelect(inputs.industry, choices.industries, account.industry, false);
  fillSelect(inputs.sales_experience, choices.sales_experiences, account.sales_experience, true);
  inputs.purpose.value = account.purpose ?? '';
  inputs.locale.value = account.locale === 'en' ? 'en' : 'ja';
  section.hidden = false;
}
