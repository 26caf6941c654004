// Sign-up rules, checked in the browser as the user types.
//
// They mirror the Identity service's validation (services/Identity/Registration/RegistrationRules.cs),
// rule for rule and in the same order, so that the user rarely meets an error only after submitting;
// the server stays the authority (it also rejects common passwords and taken usernames, which the
// browser cannot know). Like the server, each function reports at most one message per field: a list
// holding one key from i18n.js, or an empty list when the value is valid.
// Lengths count UTF-16 code units, as JavaScript and .NET strings both do.

export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 150;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
export const EMAIL_MAX_LENGTH = 254;
export const EMAIL_LOCAL_MAX_LENGTH = 64;
export const PURPOSE_MAX_LENGTH = 500;

const USERNAME_CHARACTERS = /^[\p{L}\p{Nd}.+\-_]+$/u;
const ALL_DIGITS = /^[0-9]+$/;
// A bare address: no display name, comment or quotes ("x <a@b.c>" must not pass as a@b.c).
const EMAIL_SHAPE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const SIMILARITY_THRESHOLD = 0.7;

/** The username as the server stores it: trimmed, full-width letters and digits folded (NFKC). */
export function normalizeUsername(username) {
  return username.trim().normalize('NFKC');
}

/** `username` is the normalized one (see normalizeUsername). */
export function usernameErrors(username) {
  if (username === '') return ['err.username.required'];
  if (username.length < USERNAME_MIN_LENGTH || username.length > USERNAME_MAX_LENGTH) {
    return ['err.username.length'];
  }
  // An identifier with @ is always read as an email address, so a username never has one.
  if (username.includes('@')) return ['err.username.at'];
  if (!USERNAME_CHARACTERS.test(username)) return ['err.username.chars'];
  return [];
}

export function emailErrors(email) {
  if (email === '') return ['err.email.required'];
  return isPlausibleEmail(email) ? [] : ['err.email.invalid'];
}

// Deliberately plain (a bare address, a dotted domain): the confirmation email is the real test.
function isPlausibleEmail(email) {
  if (email.length > EMAIL_MAX_LENGTH || !EMAIL_SHAPE.test(email)) return false;
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  return at <= EMAIL_LOCAL_MAX_LENGTH && !local.startsWith('.') && !local.endsWith('.') && !local.includes('..');
}

/** `username` is the normalized one (see normalizeUsername). */
export function passwordErrors(password, username) {
  if (password === '') return ['err.password.required'];
  if (password.length < PASSWORD_MIN_LENGTH) return ['err.password.short'];
  if (password.length > PASSWORD_MAX_LENGTH) return ['err.password.long'];
  if (ALL_DIGITS.test(password)) return ['err.password.numeric'];
  if (isTooSimilar(password, username)) return ['err.password.similar'];
  return [];
}

/**
 * Too similar when, compared lowercased and with a username of at least 3 characters, one contains
 * the other or 2 × LCS / (total length) ≥ 0.7, LCS being the longest common subsequence.
 */
export function isTooSimilar(password, username) {
  if (username.length < USERNAME_MIN_LENGTH) return false;
  const a = password.toLowerCase();
  const b = username.toLowerCase();
  if (a.includes(b) || b.includes(a)) return true;
  return (2 * longestCommonSubsequence(a, b)) / (a.length + b.length) >= SIMILARITY_THRESHOLD;
}

function longestCommonSubsequence(a, b) {
  let previous = new Array(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      row[j] = a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], row[j - 1]);
    }
    previous = row;
  }
  return previous[b.length];
}

/** `allowed` is the list of values from the API, or null while it has not loaded. */
export function industryErrors(value, allowed) {
  if (value === '') return ['err.industry.required'];
  return allowed && !allowed.includes(value) ? ['err.industry.invalid'] : [];
}

export function salesExperienceErrors(value, allowed) {
  if (value === '') return [];
  return allowed && !allowed.includes(value) ? ['err.sales_experience.invalid'] : [];
}

/** The server stores the purpose trimmed, so surrounding spaces do not count against the limit. */
export function purposeErrors(purpose) {
  return purpose.trim().length > PURPOSE_MAX_LENGTH ? ['err.purpose.length'] : [];
}

/**
 * A rough 0–4 score for the strength hint (0: nothing typed). It only guides the user; the rules
 * above decide what is accepted.
 */
export function passwordStrength(password, username) {
  if (password === '') return 0;
  if (passwordErrors(password, username).length > 0) return 1;
  const kinds = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u]
    .filter((pattern) => pattern.test(password)).length;
  let score = 1;
  if (password.length >= 12) score++;
  if (password.length >= 16) score++;
  if (kinds >= 3) score++;
  if (kinds <= 1 && password.length < 16) score = Math.min(score, 2);
  return Math.min(score, 4);
}
