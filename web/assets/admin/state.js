// What the page is working on: the selected template and the saved version the editor started
// from, shared by the parts that read or change them.

import { PARTS, fields } from './page.js';

export const state = {
  /** The selected template's detail, or null before one is picked. */
  current: null,
  /** The saved version the editor started from: { version, active, subject, html, text }, or null. */
  base: null,
};

/** Whether the fields differ from the version the editor started from. */
export function isDirty() {
  if (!state.current) return false;
  return PARTS.some((part) => fields[part].value !== (state.base?.[part] ?? ''));
}

/** What the fields say, by part. */
export function readDraft() {
  return Object.fromEntries(PARTS.map((part) => [part, fields[part].value]));
}
