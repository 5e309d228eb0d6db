// Script of the interface's pages (not the watch page's player): forms
// that save through the JSON API, copy buttons, and the chapter and
// caption editors of the edit page. Each part looks for its markup and
// does nothing without it.
//
// A form saved through the API says so in data attributes:
//   <form data-api="PUT /api/v1/videos/12" data-done="message|reload|navigate:/path|remove:ELEMENT_ID"
//         data-confirm="Question asked first">
// Its fields become a JSON object: a dotted name ("signup.enabled") nests,
// data-type converts (int, bool, list = comma separated, lines = one per
// line, gib = GiB to bytes with -1 kept), data-optional leaves an empty
// field out, data-send-if="field=value" sends a field only in that case.
// A .form-status element inside the form tells how it went.

import { ApiError, announce, request, t } from './api.js';
import { startCaptions } from './captions.js';
import { startChapters } from './chapters.js';

function sendIfHolds(form, el) {
  const cond = el.dataset.sendIf;
  if (!cond) return true;
  const [name, value] = cond.split('=');
  return form.elements[name]?.value === value;
}

function convert(el) {
  const type = el.dataset.type || 'text';
  const raw = el.value;
  switch (type) {
    case 'bool':
      return el.checked;
    case 'int':
      return raw.trim() === '' ? undefined : Number.parseInt(raw, 10);
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'lines': {
      const lines = raw.split('\n').map((s) => s.trim()).filter(Boolean);
      return lines.length ? lines : undefined;
    }
    case 'gib': {
      if (raw.trim() === '') return undefined;
      const n = Number.parseFloat(raw);
      return n < 0 ? -1 : Math.round(n * 2 ** 30);
    }
    default:
      return raw === '' && el.dataset.optional !== undefined ? undefined : raw;
  }
}

function serialize(form) {
  const out = {};
  let any = false;
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.type === 'submit' || el.type === 'button') continue;
    if (!sendIfHolds(form, el)) continue;
    const value = convert(el);
    if (value === undefined) continue;
    const path = el.name.split('.');
    let node = out;
    for (const key of path.slice(0, -1)) node = node[key] ??= {};
    node[path[path.length - 1]] = value;
    any = true;
  }
  return any ? out : null;
}

function showInvalid(form, err) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  if (!(err instanceof ApiError)) return '';
  let first = null;
  const parts = [];
  for (const [field, msg] of Object.entries(err.params)) {
    const el = form.elements[field];
    const label = el?.labels?.[0]?.textContent?.trim() || field;
    parts.push(`${label}: ${msg}`);
    if (el && el.setAttribute) {
      el.setAttribute('aria-invalid', 'true');
      first ??= el;
    }
  }
  if (first) first.focus();
  return parts.join('; ');
}

async function submitForm(event) {
  event.preventDefault();
  const form = event.currentTarget;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  const [method, url] = form.dataset.api.split(' ');
  const status = form.querySelector('.form-status');
  const buttons = form.querySelectorAll('button[type="submit"]');
  buttons.forEach((b) => (b.disabled = true));
  announce(status, t('js.form.saving'));
  try {
    await request(method, url, method === 'DELETE' ? null : serialize(form));
    done(form, status);
  } catch (err) {
    const fields = showInvalid(form, err);
    announce(status, t('js.form.error', { detail: fields || err.message }), true);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

function done(form, status) {
  const [action, arg] = (form.dataset.done || 'message').split(/:(.*)/s);
  switch (action) {
    case 'reload':
      window.location.reload();
      return;
    case 'navigate':
      window.location.assign(arg);
      return;
    case 'remove': {
      const gone = document.getElementById(arg);
      // The status would go with the row; the page's live region says it.
      announce(document.getElementById('page-status'), t('js.form.deleted'));
      gone?.remove();
      return;
    }
    default:
      announce(status, t('js.form.saved'));
  }
}

// showWhen hides [data-show-when="field=value"] blocks unless it holds.
function startShowWhen() {
  for (const block of document.querySelectorAll('[data-show-when]')) {
    const form = block.closest('form');
    const [name, value] = block.dataset.showWhen.split('=');
    const field = form?.elements[name];
    if (!field) continue;
    const update = () => {
      block.hidden = field.value !== value;
    };
    field.addEventListener('change', update);
    update();
  }
}

// Copy buttons next to read-only fields such as the share dialog's.
function startCopy() {
  for (const field of document.querySelectorAll('[data-copy]')) {
    if (field.nextElementSibling?.classList.contains('copy')) continue;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = t('js.copy');
    const label = field.labels?.[0]?.textContent;
    if (label) button.setAttribute('aria-label', `${t('js.copy')}: ${label}`);
    const status = document.createElement('span');
    status.setAttribute('role', 'status');
    status.className = 'hint';
    button.addEventListener('click', async () => {
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch {
        // No clipboard API outside secure contexts: the text stays
        // selected for the keyboard shortcut.
        document.execCommand?.('copy');
      }
      status.textContent = t('js.copied');
    });
    field.insertAdjacentElement('afterend', button);
    button.insertAdjacentElement('afterend', status);
  }
}

// Passwords of a protected video are listed by the API, not the page.
async function loadPasswords() {
  const area = document.querySelector('textarea[data-load-passwords]');
  if (!area) return;
  try {
    const res = await request('GET', area.dataset.loadPasswords);
    const list = await res.json();
    area.value = (list.data || []).map((p) => p.password).join('\n');
  } catch {
    // The field stays empty, which keeps the current passwords.
  }
}

function start() {
  for (const form of document.querySelectorAll('form[data-api]')) form.addEventListener('submit', submitForm);
  startShowWhen();
  startCopy();
  loadPasswords();
  startChapters();
  startCaptions();
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  start();
}
