// The template list and picking a template: its header (key, built-in or custom, description)
// above the editor.

import { t } from '../i18n.js';
import { $, api, badge, enc, localeSelect } from './page.js';
import { lines, reportFailure } from './messages.js';
import { isDirty, state } from './state.js';
import { renderVariables } from './variables.js';
import { renderSenderChoice } from './senders.js';
import { loadLocale } from './versions.js';

let templates = [];

export async function loadTemplates() {
  const result = await api('GET', '/templates');
  if (result.failed || !result.response.ok || !Array.isArray(result.data)) {
    reportFailure(result, lines.templates, 'admin.templates.failed');
    return;
  }
  lines.templates.set(null);
  templates = result.data;
  renderTemplates();
}

export function renderTemplates() {
  $('templates').replaceChildren(...templates.map((template) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'template-pick';
    button.dataset.key = template.key;
    button.setAttribute('aria-current', String(template.key === state.current?.key));

    const title = document.createElement('span');
    title.className = 'template-title';
    const key = document.createElement('span');
    key.className = 'template-key';
    key.textContent = template.key;
    title.append(key, ' ', badge(t(template.built_in ? 'admin.builtIn' : 'admin.custom'), template.built_in ? '' : 'badge-custom'));

    const description = document.createElement('span');
    description.className = 'template-description';
    description.textContent = template.description;

    const locales = document.createElement('span');
    locales.className = 'template-locales';
    locales.textContent = (template.locales ?? [])
      .map((l) => t('admin.localeSummary', { locale: l.locale, active: l.active_version, latest: l.latest_version }))
      .join(' · ');

    button.append(title, description, locales);
    button.addEventListener('click', () => selectTemplate(template.key));
    item.append(button);
    return item;
  }));
}

async function selectTemplate(key) {
  if (isDirty() && !confirm(t('admin.discard'))) return;
  const result = await api('GET', `/templates/${enc(key)}`);
  if (result.failed || !result.response.ok || !result.data) {
    reportFailure(result, lines.templates, 'admin.templates.failed');
    return;
  }
  lines.templates.set(null);
  state.current = result.data;
  const available = (state.current.locales ?? []).map((l) => l.locale);
  if (!available.includes(localeSelect.value) && available.length > 0) localeSelect.value = available[0];
  $('editor').hidden = false;
  renderTemplates();
  renderTemplateHeader();
  renderVariables();
  renderSenderChoice();
  lines.templateSender.set(null);
  lines.save.set(null);
  await loadLocale();
  $('editor-heading').focus();
}

export function renderTemplateHeader() {
  const current = state.current;
  if (!current) return;
  $('editor-heading').textContent = current.key;
  const kind = $('editor-kind');
  kind.textContent = t(current.built_in ? 'admin.builtIn' : 'admin.custom');
  kind.classList.toggle('badge-custom', !current.built_in);
  $('editor-description').textContent = current.description;
}

/** Re-reads the selected template (active versions, locale summary) and the list beside it. */
export async function refreshTemplate() {
  const result = await api('GET', `/templates/${enc(state.current.key)}`);
  if (!result.failed && result.response.ok && result.data) {
    state.current = result.data;
    renderTemplateHeader();
    renderSenderChoice();
  }
  await loadTemplates();
}
