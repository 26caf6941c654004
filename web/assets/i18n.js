// Japanese/English texts and the language switch shared by every page.
//
// Japanese is the default. The choice is remembered in localStorage, and `?lang=en` (or `ja`)
// in the address overrides it, so a link can open a page in a given language.
// Elements with `data-i18n="key"` get the text of that key; pages that build text themselves
// call t() and listen with onLangChange().

import * as common from './i18n/common.js';
import * as register from './i18n/register.js';
import * as errors from './i18n/errors.js';
import * as verification from './i18n/verification.js';
import * as login from './i18n/login.js';
import * as account from './i18n/account.js';
import * as passwordReset from './i18n/password-reset.js';
import * as changeEmail from './i18n/change-email.js';
import * as admin from './i18n/admin.js';
import * as dashboard from './i18n/dashboard.js';
import * as dashboardTables from './i18n/dashboard-tables.js';
import * as dashboardReplay from './i18n/dashboard-replay.js';
import * as failureClasses from './i18n/failure-classes.js';
import * as users from './i18n/users.js';
import * as accountDelete from './i18n/account-delete.js';
import * as dmarc from './i18n/dmarc.js';
import * as dashboardDomains from './i18n/dashboard-domains.js';
import * as webhooks from './i18n/webhooks.js';
import * as domainHealth from './i18n/domain-health.js';

export const LANGUAGES = ['ja', 'en'];
const STORAGE_KEY = 'salesmind.lang';

// The texts of each area of the pages, Japanese and English side by side (./i18n/*.js), merged
// into one table per language. No key appears in two areas.
const AREAS = [common, register, errors, verification, login, account, accountDelete, passwordReset, changeEmail, admin, dashboard, dashboardTables, dashboardReplay, dashboardDomains, failureClasses, domainHealth, dmarc, webhooks, users];
const MESSAGES = Object.fromEntries(
  LANGUAGES.map((language) => [language, Object.assign({}, ...AREAS.map((area) => area[language]))]),
);

let current = initialLanguage();

function initialLanguage() {
  const requested = new URLSearchParams(location.search).get('lang');
  if (LANGUAGES.includes(requested)) {
    remember(requested);
    return requested;
  }
  return LANGUAGES.includes(stored()) ? stored() : 'ja';
}

// Storage can be unavailable (private modes, blocked cookies): the page still works, it just forgets.
function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function remember(language) {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // ignore: see stored()
  }
}

/** The current language code, 'ja' or 'en'. */
export function lang() {
  return current;
}

/** The text for a key in the current language; `params` fill in texts that are functions. */
export function t(key, params = {}) {
  const text = MESSAGES[current][key] ?? MESSAGES.ja[key];
  if (text === undefined) return key;
  return typeof text === 'function' ? text(params) : text;
}

/** Switches the language, remembers it, re-translates the page and tells listeners. */
export function setLang(language) {
  if (!LANGUAGES.includes(language) || language === current) return;
  current = language;
  remember(language);
  translatePage();
  document.dispatchEvent(new CustomEvent('langchange', { detail: { lang: language } }));
}

/** Calls `listener(lang)` after every language switch. */
export function onLangChange(listener) {
  document.addEventListener('langchange', () => listener(current));
}

/** Applies the current language to `<html lang>`, every `[data-i18n]` element and the switch button. */
export function translatePage() {
  document.documentElement.lang = current;
  for (const element of document.querySelectorAll('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n);
  }
  const toggle = document.getElementById('lang-toggle');
  if (toggle) {
    // The button names the language it switches to, written in that language.
    toggle.lang = current === 'ja' ? 'en' : 'ja';
    toggle.textContent = t('lang.switch');
  }
}

document.getElementById('lang-toggle')?.addEventListener('click', () => {
  setLang(current === 'ja' ? 'en' : 'ja');
});

translatePage();
