// The sign-up form's fields: their values, the same checks as the server's, their error
// messages (ours, re-translated on a language switch, or the server's text), checks as the user
// types, and the password toggle, password strength and purpose counter.

import { t, onLangChange } from '../i18n.js';
import {
  PURPOSE_MAX_LENGTH,
  usernameErrors,
  emailErrors,
  passwordErrors,
  industryErrors,
  salesExperienceErrors,
  purposeErrors,
  passwordStrength,
  normalizeUsername,
} from '../validation.js';
import { allowedValues } from './choices.js';

// Form order: the first invalid field in this order gets the focus.
export const FIELDS = ['username', 'email', 'password', 'industry', 'sales_experience', 'purpose'];

export const inputs = Object.fromEntries(FIELDS.map((name) => [name, document.getElementById(name)]));
const errorBoxes = Object.fromEntries(FIELDS.map((name) => [name, document.getElementById(`${name}-error`)]));

// Fields checked as the user types: after leaving them once, or after a submit.
export const touched = new Set();
// field -> { keys: [...] } (ours, re-translated on a switch) or { texts: [...] } (server's)
const errors = {};

// ---------------------------------------------------------------- values and client checks

export function values() {
  return {
    // Checked as the server will see it; the trimmed value is what is sent (the server normalizes too).
    username: inputs.username.value.trim(),
    normalizedUsername: normalizeUsername(inputs.username.value),
    email: inputs.email.value.trim(),
    password: inputs.password.value,
    industry: inputs.industry.value,
    sales_experience: inputs.sales_experience.value,
    purpose: inputs.purpose.value,
  };
}

function clientErrors(field) {
  const v = values();
  switch (field) {
    case 'username': return usernameErrors(v.normalizedUsername);
    case 'email': return emailErrors(v.email);
    case 'password': return passwordErrors(v.password, v.normalizedUsername);
    case 'industry': return industryErrors(v.industry, allowedValues('industries'));
    case 'sales_experience': return salesExperienceErrors(v.sales_experience, allowedValues('sales_experiences'));
    case 'purpose': return purposeErrors(v.purpose);
    default: return [];
  }
}

/** Checks one field, shows the result and returns its message keys. */
export function check(field) {
  const keys = clientErrors(field);
  setFieldErrors(field, { keys });
  return keys;
}

export function setFieldErrors(field, fieldErrors) {
  errors[field] = fieldErrors;
  renderFieldErrors(field);
}

function renderFieldErrors(field) {
  const fieldErrors = errors[field] ?? { keys: [] };
  const messages = fieldErrors.texts ?? fieldErrors.keys.map((key) => t(key));
  errorBoxes[field].replaceChildren(...messages.map((message) => {
    const line = document.createElement('p');
    line.textContent = message;
    return line;
  }));
  if (messages.length > 0) {
    inputs[field].setAttribute('aria-invalid', 'true');
  } else {
    inputs[field].removeAttribute('aria-invalid');
  }
}

function hasShownErrors(field) {
  const fieldErrors = errors[field];
  return Boolean(fieldErrors && (fieldErrors.texts ?? fieldErrors.keys).length > 0);
}

// ---------------------------------------------------------------- password field, purpose counter

const passwordToggle = document.getElementById('password-toggle');

function renderPasswordToggle() {
  const visible = inputs.password.type === 'text';
  passwordToggle.textContent = t(visible ? 'password.hide' : 'password.show');
  passwordToggle.setAttribute('aria-label', t(visible ? 'password.hideLabel' : 'password.showLabel'));
}

passwordToggle.addEventListener('click', () => {
  inputs.password.type = inputs.password.type === 'password' ? 'text' : 'password';
  renderPasswordToggle();
});

function renderStrength() {
  const v = values();
  const score = passwordStrength(v.password, v.normalizedUsername);
  document.getElementById('password-strength').hidden = score === 0;
  document.getElementById('password-strength-bar').dataset.score = String(score);
  document.getElementById('password-strength-text').textContent =
    score === 0 ? '' : `${t('strength.label')} ${t(`strength.${score}`)}`;
}

function renderCounter() {
  const n = inputs.purpose.value.length;
  const counter = document.getElementById('purpose-counter');
  counter.textContent = t('purpose.counter', { n, max: PURPOSE_MAX_LENGTH });
  counter.classList.toggle('is-over', purposeErrors(inputs.purpose.value).length > 0);
}

// ---------------------------------------------------------------- live checks

for (const field of FIELDS) {
  const input = inputs[field];
  const eventName = input.tagName === 'SELECT' ? 'change' : 'input';

  input.addEventListener(eventName, () => {
    if (input.tagName === 'SELECT') touched.add(field);
    // Once the user has left a field (or submitted), keep its message in step with every key press.
    // The purpose limit is shown at once, since the counter already shows it.
    if (touched.has(field) || hasShownErrors(field) || field === 'purpose') check(field);
    if (field === 'username' && (touched.has('password') || hasShownErrors('password'))) check('password');
    if (field === 'username' || field === 'password') renderStrength();
    if (field === 'purpose') renderCounter();
  });

  input.addEventListener('blur', () => {
    // Leaving an untouched, empty field by tabbing through is not yet a mistake.
    if (!touched.has(field) && input.value === '') return;
    // A server message stays until the user changes the field (the input handler replaces it).
    if (errors[field]?.texts) return;
    touched.add(field);
    check(field);
  });
}

onLangChange(() => {
  for (const field of FIELDS) renderFieldErrors(field);
  renderPasswordToggle();
  renderStrength();
  renderCounter();
});

renderPasswordToggle();
renderStrength();
renderCounter();
