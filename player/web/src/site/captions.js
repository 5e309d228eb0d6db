// The captions part of the edit page: the list from GET
// /api/v1/videos/{id}/captions, an upload form (PUT .../captions/{lang}
// with a captionfile) and a delete button per language. Markup
// (edit-video.html): <section id="caption-editor" data-video="ID">
// <ul id="caption-list"> <form id="caption-form"> <span id="captions-status">

import { announce, request, t } from './api.js';

export function startCaptions() {
  const section = document.getElementById('caption-editor');
  if (!section) return;
  const base = `/api/v1/videos/${section.dataset.video}/captions`;
  const list = document.getElementById('caption-list');
  const form = document.getElementById('caption-form');
  const status = document.getElementById('captions-status');

  const render = (captions) => {
    list.replaceChildren();
    if (!captions.length) {
      const li = document.createElement('li');
      li.textContent = t('js.captions.none');
      list.append(li);
      return;
    }
    for (const c of captions) {
      const li = document.createElement('li');
      const link = document.createElement('a');
      link.href = c.fileUrl || c.captionPath;
      link.textContent = c.language.label;
      link.lang = c.language.id;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = '✕';
      remove.setAttribute('aria-label', t('js.captions.remove', { language: c.language.label }));
      remove.addEventListener('click', async () => {
        try {
          await request('DELETE', `${base}/${encodeURIComponent(c.language.id)}`);
          await load();
          announce(status, t('js.form.deleted'));
          form.elements.language.focus();
        } catch (err) {
          announce(status, t('js.form.error', { detail: err.message }), true);
        }
      });
      li.append(link, ' ', remove);
      list.append(li);
    }
  };

  const load = async () => {
    const res = await request('GET', base);
    render((await res.json()).data || []);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = new FormData();
    body.append('captionfile', form.elements.captionfile.files[0]);
    announce(status, t('js.form.saving'));
    try {
      await request('PUT', `${base}/${encodeURIComponent(form.elements.language.value)}`, body);
      form.reset();
      await load();
      announce(status, t('js.captions.added'));
    } catch (err) {
      announce(status, t('js.form.error', { detail: err.message }), true);
    }
  });

  load().catch(() => {
    announce(status, t('js.captions.unavailable'), true);
    for (const el of form.elements) el.disabled = true;
  });
}
