// The sign-up form's choice lists (industry, sales experience), loaded from the server, with a
// retry when that fails.

import { t, onLangChange } from '../i18n.js';
import { choiceLabel, fetchChoices } from '../api.js';

const industry = document.getElementById('industry');
const salesExperience = document.getElementById('sales_experience');

let choices = null; // { industries: [...], sales_experiences: [...] } once loaded

/** The values a list allows, or null while the choices are not loaded. */
export function allowedValues(list) {
  return choices ? choices[list].map((choice) => choice.value) : null;
}

export async function loadChoices() {
  document.getElementById('choices-error').hidden = true;
  industry.disabled = true;
  salesExperience.disabled = true;
  renderChoices();
  try {
    choices = await fetchChoices();
    industry.disabled = false;
    salesExperience.disabled = false;
    renderChoices();
  } catch {
    document.getElementById('choices-error').hidden = false;
    renderChoices();
  }
}

function renderChoices() {
  fillSelect(industry, choices?.industries, 'industry.placeholder');
  fillSelect(salesExperience, choices?.sales_experiences, 'sales.none');
}

function fillSelect(select, list, emptyKey) {
  const selected = select.value;
  const empty = new Option(list ? t(emptyKey) : t('choices.loading'), '');
  const options = (list ?? []).map((choice) => new Option(choiceLabel(choice), choice.value));
  select.replaceChildren(empty, ...options);
  select.value = options.some((option) => option.value === selected) ? selected : '';
}

document.getElementById('choices-retry').addEventListener('click', loadChoices);

onLangChange(renderChoices);
