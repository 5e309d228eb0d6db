// Following a video while it is transcoded, for the upload page and the
// watch page: GET /api/v1/videos/UUID until its state leaves "to
// transcode" (2), for published (1) or failed (7).
//
// The server has no event stream for jobs, and a runner writes its
// progress only every few seconds, so the page asks, gently: soon after a
// change, then less and less often while nothing changes, and not at all
// while the page is hidden.

import { ApiError, request } from './api.js';

const FIRST_DELAY_MS = 1500;
const MAX_DELAY_MS = 15000;

const STATE_TO_TRANSCODE = 2;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// visible resolves once the page is shown: a background tab asks nothing.
function visible() {
  if (!document.hidden) return Promise.resolve();
  return new Promise((resolve) => {
    const shown = () => {
      if (document.hidden) return;
      document.removeEventListener('visibilitychange', shown);
      resolve();
    };
    document.addEventListener('visibilitychange', shown);
  });
}

// progressOf is the job's progress in percent while it runs, null while
// it waits for a runner.
function progressOf(v) {
  return v.transcoding && v.transcoding.state === 'active' ? Math.round(v.transcoding.progress * 100) : null;
}

// followTranscoding resolves with the video (the API's JSON) once it is
// published or failed; onProgress(percent or null) hears every change
// before. A refused call (the video deleted, the session ended) rejects
// with its ApiError; a network failure is waited out.
export async function followTranscoding(uuid, onProgress) {
  let delay = FIRST_DELAY_MS;
  let last;
  for (;;) {
    await visible();
    let v;
    try {
      v = await (await request('GET', `/api/v1/videos/${encodeURIComponent(uuid)}`)).json();
    } catch (err) {
      if (err instanceof ApiError) throw err;
    }
    if (v && v.state.id !== STATE_TO_TRANSCODE) return v;
    const now = v && progressOf(v);
    if (v && now !== last) {
      last = now;
      delay = FIRST_DELAY_MS;
      onProgress(now);
    } else {
      // Nothing new, or no answer: ask less often.
      delay = Math.min(delay * 1.5, MAX_DELAY_MS);
    }
    await sleep(delay);
  }
}
