// Editing the profile: the sign-up's fields and checks (validation.js), the server's messages
// beside their fields, and the details above updated once saved.

import { t, onLangChange } from '../i18n.js';
import { choiceLabel } from '../api.js';
import { industryErrors, salesExperienceErrors, purposeErrors } from '../validation.js';
import { PROFILE_URL, StatusLine, send } from './requests.js';
import { accountForm } from './form.js';

const FIELDS = ['industry', 'sales_experience', 'purpose', 'locale'];

const section = document.getElementById('profile-section');
const status = new StatusLine(document.getElementById('profile-status'), t);

let choices = null;
let onSaved = () => {};

const { inputs, setErrors, render } = accountForm({
  form: document.getElementById('profile-form'),
  submit: document.getElementById('profile-submit'),
  status,
  fields: FIELDS,
  labels: { idle: 'profile.save', busy: 'profile.saving' },
  clientErrors,
  request: () => send('PUT', PROFILE_URL, {
    industry: inputs.industry.value,
    sales_experience: inputs.sales_experience.value === '' ? null : inputs.sales_experience.value,
    purpose: inputs.purpose.value.trim() === '' ? null : inputs.purpose.value,
    locale: inputs.locale.value,
  }),
  problemStatus(byField) {
    const other = Object.keys(byField).filter((name) => !FIELDS.includes(name)).flatMap((name) => byField[name]);
    return other.length > 0 ? { text: other.join(' ') } : { key: 'profile.fix' };
  },
  answered(response, data) {
    if (response.ok && data) {
      status.set({ key: 'profile.saved' }, 'success');
      onSaved(data);
    } else {
      status.set({ key: 'account.generic' });
    }
  },
});

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

for (const field of FIELDS) {
  inputs[field].addEventListener('change', () => setErrors(field, { keys: clientErrors(field) }));
}

onLangChange(() => {
  if (!choices) return;
  renderChoices();
  render();
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
