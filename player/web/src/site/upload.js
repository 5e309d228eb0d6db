// The upload page: sends the file with PeerTube's resumable protocol in
// chunks, shows progress, speed and time left, survives dropped
// connections and page reloads, then follows transcoding until the video
// is published. Markup: upload.html.
//
// Resuming after a reload: the upload's URL is kept in localStorage under
// the file's name, size and modification time. Picking the same file
// again asks the server how much it holds ("Content-Range: bytes
// */size", answered 308 with a Range header) and goes on from there.

import { ApiError, announce, csrf, noteToken, request, t } from './api.js';
import { followTranscoding } from './transcoding.js';

const form = document.getElementById('upload-form');
const fileInput = document.getElementById('upload-file');
const drop = document.getElementById('upload-drop');
const resumeHint = document.getElementById('upload-resume');
const startButton = document.getElementById('upload-start');
const cancelButton = document.getElementById('upload-cancel');
const progress = document.getElementById('upload-progress');
const bar = document.getElementById('upload-bar');
const percentText = document.getElementById('upload-percent');
const stats = document.getElementById('upload-stats');
const statusLine = document.getElementById('upload-status');
const transcodeRow = document.getElementById('transcode-row');
const transcodeBar = document.getElementById('transcode-bar');
const doneLinks = document.getElementById('upload-done');

const CHUNK = Number(form.dataset.chunkSize) || 8 * 1024 * 1024;
const ENDPOINT = '/api/v1/videos/upload-resumable';

const storageKey = (file) => `cuttle-upload:${file.name}:${file.size}:${file.lastModified}`;

function remembered(file) {
  try {
    return JSON.parse(localStorage.getItem(storageKey(file)) || 'null');
  } catch {
    return null;
  }
}

function remember(file, url) {
  try {
    localStorage.setItem(storageKey(file), JSON.stringify({ url, at: Date.now() }));
  } catch {
    // Private browsing may refuse storage: resuming after a reload is lost,
    // resuming after a drop still works.
  }
}

function forget(file) {
  try {
    localStorage.removeItem(storageKey(file));
  } catch {
    // See remember.
  }
}

// uploadURL keeps only the upload id of the Location, so the calls stay
// on the page's origin (and carry its cookie) whatever the public URL.
function uploadURL(location) {
  const id = new URL(location, window.location.href).searchParams.get('upload_id');
  return `${ENDPOINT}?upload_id=${encodeURIComponent(id)}`;
}

// storedBytes reads the Range header of a 308: "bytes=0-N" means N+1.
function storedBytes(range) {
  const m = /bytes=0-(\d+)/.exec(range || '');
  return m ? Number(m[1]) + 1 : 0;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class NetworkError extends Error {}

// Speed over the last few seconds, for the speed and time-left line.
class Meter {
  constructor() {
    this.samples = [];
    this.shownAt = 0;
  }

  add(bytes) {
    const now = performance.now();
    this.samples.push({ now, bytes });
    while (this.samples.length > 2 && now - this.samples[0].now > 5000) this.samples.shift();
  }

  speed() {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || last.now - first.now < 200) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.now - first.now);
  }
}

function formatLeft(seconds) {
  if (!Number.isFinite(seconds)) return '…';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

let current = null; // { file, url, xhr, canceled }
const meter = new Meter();

function showProgress(sent, total) {
  const percent = total ? Math.floor((sent * 100) / total) : 0;
  bar.value = percent;
  bar.setAttribute('aria-valuetext', `${percent} %`);
  percentText.textContent = `${percent} %`;
  meter.add(sent);
  const now = performance.now();
  if (now - meter.shownAt > 500 || sent === total) {
    meter.shownAt = now;
    const speed = meter.speed();
    if (speed > 0) {
      stats.textContent = t('js.upload.stats', {
        speed: t('js.upload.speed', { value: (speed / 1e6).toFixed(1) }),
        left: formatLeft((total - sent) / speed),
      });
    }
  }
}

// putChunk sends bytes [start, start+blob.size) with XMLHttpRequest,
// whose upload events move the bar within a chunk. Resolves with the
// status and the headers it needs; rejects with NetworkError when the
// connection fails.
function putChunk(url, blob, start, total) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    current.xhr = xhr;
    xhr.open('PUT', url);
    xhr.setRequestHeader('Content-Range', `bytes ${start}-${start + blob.size - 1}/${total}`);
    xhr.setRequestHeader('X-CSRF-Token', csrf());
    xhr.upload.onprogress = (e) => showProgress(start + e.loaded, total);
    xhr.onload = () => {
      noteToken((name) => xhr.getResponseHeader(name));
      resolve({ status: xhr.status, range: xhr.getResponseHeader('Range'), text: xhr.responseText });
    };
    xhr.onerror = () => reject(new NetworkError('network'));
    xhr.ontimeout = () => reject(new NetworkError('timeout'));
    xhr.onabort = () => reject(new NetworkError('abort'));
    xhr.send(blob);
  });
}

// status asks how much of the upload the server holds: { stored }, or
// { video } when it is complete, or null when the upload is gone.
async function uploadStatus(url, total) {
  try {
    const res = await request('PUT', url, null, { 'Content-Range': `bytes */${total}` });
    if (res.status === 200) return { video: (await res.json()).video };
    return { stored: storedBytes(res.headers.get('Range')) };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) return null;
    if (err instanceof ApiError) throw err;
    throw new NetworkError(String(err));
  }
}

async function init(file) {
  const body = {
    name: form.elements.name.value.trim(),
    channelId: Number(form.elements.channelId.value),
    privacy: Number(form.elements.privacy.value),
    filename: file.name,
  };
  const res = await request('POST', ENDPOINT, body, {
    'X-Upload-Content-Length': String(file.size),
    'X-Upload-Content-Type': file.type || 'application/octet-stream',
  });
  return uploadURL(res.headers.get('Location'));
}

// waitOnline waits out a dropped connection: the given delay, cut short
// when the browser says it is back online.
async function waitOnline(delay) {
  announce(statusLine, t('js.upload.offline', { seconds: Math.round(delay / 1000) }), true);
  await Promise.race([sleep(delay), new Promise((resolve) => window.addEventListener('online', resolve, { once: true }))]);
  if (!navigator.onLine) {
    await new Promise((resolve) => window.addEventListener('online', resolve, { once: true }));
  }
}

// send pushes the file from offset on, resuming after every drop, and
// returns the created video.
async function send(file, url, offset) {
  let backoff = 1000;
  for (;;) {
    if (current.canceled) throw new Error('canceled');
    try {
      if (offset >= file.size) {
        const st = await uploadStatus(url, file.size);
        if (st?.video) return st.video;
        if (!st) throw new Error('gone');
        offset = st.stored;
        continue;
      }
      const end = Math.min(offset + CHUNK, file.size);
      const res = await putChunk(url, file.slice(offset, end), offset, file.size);
      backoff = 1000;
      if (res.status === 200) return JSON.parse(res.text).video;
      if (res.status === 308) {
        offset = storedBytes(res.range);
        continue;
      }
      let problem = {};
      try {
        problem = JSON.parse(res.text);
      } catch {
        // An answer without a problem document.
      }
      throw new ApiError(res.status, problem);
    } catch (err) {
      if (!(err instanceof NetworkError) || current.canceled) throw err;
      await waitOnline(backoff);
      backoff = Math.min(backoff * 2, 30000);
      // What arrived of the interrupted chunk is kept by the server.
      try {
        const st = await uploadStatus(url, file.size);
        if (st?.video) return st.video;
        if (st) offset = st.stored;
        announce(statusLine, t('js.upload.resuming', { percent: Math.floor((offset * 100) / file.size) }));
      } catch (statusErr) {
        if (!(statusErr instanceof NetworkError)) throw statusErr;
      }
    }
  }
}

// follow shows the video's transcoding until it is published or failed.
async function follow(video) {
  transcodeRow.hidden = false;
  document.getElementById('upload-watch').href = `/w/${video.shortUUID}`;
  document.getElementById('upload-edit').href = `/my/videos/${video.shortUUID}/edit`;
  doneLinks.hidden = false;
  const v = await followTranscoding(video.uuid, (percent) => {
    if (percent === null) {
      transcodeBar.removeAttribute('value');
      announce(statusLine, t('js.upload.waiting'));
    } else {
      transcodeBar.value = percent;
      announce(statusLine, t('js.upload.processing', { percent }));
    }
  });
  if (v.state.id === 1) {
    transcodeBar.value = 100;
    announce(statusLine, t('js.upload.published'));
  } else {
    announce(statusLine, t('js.upload.transcodeFailed', { detail: v.stateReason || '' }), true);
  }
}

async function start(event) {
  event.preventDefault();
  const file = fileInput.files[0];
  if (!file) {
    announce(statusLine, t('js.upload.pickFile'), true);
    progress.hidden = false;
    fileInput.focus();
    return;
  }
  if (!form.reportValidity()) return;
  current = { file, canceled: false };
  progress.hidden = false;
  doneLinks.hidden = true;
  transcodeRow.hidden = true;
  startButton.disabled = true;
  cancelButton.hidden = false;
  for (const el of form.elements) if (el !== cancelButton) el.disabled = true;
  announce(statusLine, t('js.upload.preparing'));
  try {
    let url = remembered(file)?.url;
    let offset = 0;
    if (url) {
      const st = await uploadStatus(url, file.size);
      if (st?.video) {
        forget(file);
        return await finish(file, st.video);
      }
      if (st) {
        offset = st.stored;
        announce(statusLine, t('js.upload.resuming', { percent: Math.floor((offset * 100) / file.size) }));
      } else {
        url = null;
      }
    }
    if (!url) {
      url = await init(file);
      remember(file, url);
      announce(statusLine, t('js.upload.sending'));
    }
    current.url = url;
    showProgress(offset, file.size);
    const video = await send(file, url, offset);
    await finish(file, video);
  } catch (err) {
    if (current.canceled) {
      announce(statusLine, t('js.upload.canceled'));
    } else {
      announce(statusLine, t('js.upload.failed', { detail: err.message }), true);
      if (err instanceof ApiError && err.status === 404) forget(file);
    }
    unlock();
  }
}

async function finish(file, video) {
  forget(file);
  showProgress(file.size, file.size);
  cancelButton.hidden = true;
  await follow(video);
}

function unlock() {
  startButton.disabled = false;
  cancelButton.hidden = true;
  for (const el of form.elements) el.disabled = false;
}

async function cancel() {
  if (!current || !window.confirm(t('js.upload.confirmCancel'))) return;
  current.canceled = true;
  current.xhr?.abort();
  if (current.url) {
    try {
      await request('DELETE', current.url);
    } catch {
      // An upload the server no longer knows is canceled all the same.
    }
  }
  forget(current.file);
}

// On picking a file: a title from its name, and whether an earlier upload
// of it can resume.
async function picked() {
  const file = fileInput.files[0];
  resumeHint.hidden = true;
  if (!file) return;
  if (!form.elements.name.value) form.elements.name.value = file.name.replace(/\.[^.]+$/, '').slice(0, 120);
  const saved = remembered(file);
  if (!saved) return;
  try {
    const st = await uploadStatus(saved.url, file.size);
    if (!st) {
      forget(file);
      return;
    }
    const percent = st.video ? 100 : Math.floor((st.stored * 100) / file.size);
    resumeHint.textContent = t('js.upload.resumeHint', { percent });
    resumeHint.hidden = false;
  } catch {
    // Offline: the upload resumes when started.
  }
}

// Dropping a file anywhere on the zone picks it, as the picker would.
function startDrop() {
  const over = (e) => {
    e.preventDefault();
    drop.classList.add('over');
  };
  drop.addEventListener('dragenter', over);
  drop.addEventListener('dragover', over);
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (!e.dataTransfer?.files?.length || fileInput.disabled) return;
    fileInput.files = e.dataTransfer.files;
    fileInput.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

form.addEventListener('submit', start);
cancelButton.addEventListener('click', cancel);
fileInput.addEventListener('change', picked);
startDrop();
// Back from the cache or a reload with the file still picked.
if (fileInput.files.length) picked();

