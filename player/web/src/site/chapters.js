// The chapter editor of the edit page: rows of a start time and a title,
// saved with PUT /api/v1/videos/{id}/chapters. Markup (edit-video.html):
//   <section id="chapter-editor" data-video="ID"> ... <tbody id="chapter-rows">
//   <button id="chapter-add"> <button id="chapter-save"> <span id="chapters-status">

import { announce, request, t } from './api.js';

// parseTime reads "90", "1:30" or "1:02:03" as seconds; NaN otherwise.
export function parseTime(text) {
  const parts = text.trim().split(':');
  if (parts.length > 3 || parts.some((p) => !/^\d+$/.test(p))) return Number.NaN;
  return parts.reduce((acc, p) => acc * 60 + Number(p), 0);
}

export function formatTime(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function startChapters() {
  const section = document.getElementById('chapter-editor');
  if (!section) return;
  const url = `/api/v1/videos/${section.dataset.video}/chapters`;
  const rows = document.getElementById('chapter-rows');
  const status = document.getElementById('chapters-status');
  const add = document.getElementById('chapter-add');
  const save = document.getElementById('chapter-save');

  const renumber = () => {
    [...rows.rows].forEach((row, i) => {
      const n = i + 1;
      row.querySelector('.chapter-time').setAttribute('aria-label', t('js.chapters.start', { n }));
      row.querySelector('.chapter-title').setAttribute('aria-label', t('js.chapters.name', { n }));
      row.querySelector('.chapter-remove').setAttribute('aria-label', t('js.chapters.remove', { n }));
    });
  };

  const addRow = (timecode, title, focus) => {
    const row = rows.insertRow();
    const time = document.createElement('input');
    time.className = 'chapter-time';
    time.inputMode = 'numeric';
    time.size = 8;
    time.placeholder = '0:00';
    time.value = timecode === undefined ? '' : formatTime(timecode);
    const name = document.createElement('input');
    name.className = 'chapter-title';
    name.maxLength = 100;
    name.value = title || '';
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'chapter-remove';
    remove.textContent = '✕';
    remove.addEventListener('click', () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      (next?.querySelector('.chapter-time') || add).focus();
    });
    row.insertCell().append(time);
    row.insertCell().append(name);
    row.insertCell().append(remove);
    renumber();
    if (focus) time.focus();
  };

  add.addEventListener('click', () => addRow(undefined, '', true));
  save.addEventListener('click', async () => {
    const chapters = [];
    for (const [i, row] of [...rows.rows].entries()) {
      const timecode = parseTime(row.querySelector('.chapter-time').value);
      const title = row.querySelector('.chapter-title').value.trim();
      if (Number.isNaN(timecode)) {
        announce(status, t('js.chapters.badTime', { n: i + 1 }), true);
        row.querySelector('.chapter-time').focus();
        return;
      }
      chapters.push({ timecode, title });
    }
    chapters.sort((a, b) => a.timecode - b.timecode);
    announce(status, t('js.form.saving'));
    try {
      await request('PUT', url, { chapters });
      announce(status, t('js.form.saved'));
    } catch (err) {
      announce(status, t('js.form.error', { detail: err.message }), true);
    }
  });

  request('GET', url)
    .then((res) => res.json())
    .then((body) => {
      for (const c of body.chapters || []) addRow(c.timecode, c.title, false);
      if (!rows.rows.length) addRow(undefined, '', false);
    })
    .catch(() => {
      announce(status, t('js.chapters.unavailable'), true);
      add.disabled = save.disabled = true;
    });
}
