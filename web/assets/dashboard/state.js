// What the dashboard last loaded, shared by the refresh loop that loads it and the parts that draw
// it, and whether the access is lost (then nothing more is loaded).

export const live = {
  /** The last answer of /dashboard, or null before the first. */
  dashboard: null,
  /** Identity's outbox: { ok: true, value } or { ok: false }, or null before the first. */
  identityOutbox: null,
  /** The last list of suppressions, or null before the first. */
  suppressions: null,
  /** Set when the access is lost: no refresh is scheduled until the page starts again. */
  accessLost: false,
};
