// The selected template's variables: each one a button that inserts @Model.<name> where the
// cursor is in the field edited last.

import { t } from '../i18n.js';
import { $, PARTS, fields } from './page.js';
import { state } from './state.js';

const WORD_CHARACTER = /[\p{L}\p{Nd}_]/u;

let lastField = fields.html; // where a variable goes: the field edited last

for (const part of PARTS) {
  fields[part].addEventListener('focus', () => {
    lastField = fields[part];
  });
  fields[part].addEventListener('input', () => {
    lastField = fields[part];
  });
}

export function renderVariables() {
  $('variables').replaceChildren(...(state.current?.variables ?? []).map((variable) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'variable-insert';
    button.dataset.name = variable.name;
    button.textContent = `@Model.${variable.name}`;
    button.setAttribute('aria-label', t('admin.variables.insert', { name: variable.name }));
    button.addEventListener('click', () => insertVariable(variable.name));
    const description = document.createElement('span');
    description.className = 'variable-description';
    description.textContent = variable.description;
    const sample = document.createElement('span');
    sample.className = 'variable-sample';
    sample.textContent = t('admin.variables.sample', { sample: variable.sample });
    item.append(button, description, sample);
    return item;
  }));
}

function insertVariable(name) {
  const field = lastField;
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? start;
  // Glued to a word, "@Model.X" would read as an email address (before) or a longer name (after):
  // the parenthesised form prints the same and stays unambiguous.
  const glued = WORD_CHARACTER.test(field.value.charAt(start - 1)) || WORD_CHARACTER.test(field.value.charAt(end));
  field.setRangeText(glued ? `@(Model.${name})` : `@Model.${name}`, start, end, 'end');
  field.focus();
  field.dispatchEvent(new Event('input', { bubbles: true }));
}
