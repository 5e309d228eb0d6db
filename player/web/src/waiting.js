// The watch page of a video still being transcoded. The server renders a
// notice instead of the player:
//
//   <div class="notice transcoding" role="status" data-transcoding="UUID">
//     <p id="transcoding-text">…</p> <progress id="transcoding-bar" max="100"></progress>
//   </div>
//
// The page follows the job (site/transcoding.js) and, once the video is
// published or failed, renders itself again in place: it fetches the same
// page and takes its <main>. The player then gets exactly what a page
// loaded now would give it (the playlist, with a file token for a video
// that is not public, the tracker, poster, captions, chapters and the share
// dialog), and the owner of a failed video reads why it failed.

import { announce, t } from './site/api.js';
import { followTranscoding } from './site/transcoding.js';

function showProgress(notice, percent) {
  const text = notice.querySelector('#transcoding-text');
  const bar = notice.querySelector('#transcoding-bar');
  if (percent === null) {
    announce(text, t('js.watch.transcoding'));
    if (bar) bar.removeAttribute('value');
    return;
  }
  announce(text, t('js.watch.transcodingProgress', { percent }));
  if (bar) bar.value = percent;
}

// rerender puts the page's <main> as the server renders it now in place
// of the current one.
async function rerender() {
  const res = await fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store' });
  const page = new DOMParser().parseFromString(await res.text(), 'text/html');
  const main = page.getElementById('main');
  if (!main) throw new Error(`the page answered ${res.status} without content`);
  document.getElementById('main').replaceWith(document.adoptNode(main));
  document.title = page.title;
  // Scripts parsed from text do not run; the share dialog's must.
  for (const old of main.querySelectorAll('script')) {
    const script = document.createElement('script');
    for (const { name, value } of old.attributes) script.setAttribute(name, value);
    script.textContent = old.textContent;
    old.replaceWith(script);
  }
}

// playWhenReady resolves once the page shows the video as it is now,
// with true when that is with its player.
export async function playWhenReady(notice) {
  try {
    await followTranscoding(notice.dataset.transcoding, (percent) => showProgress(notice, percent));
  } catch {
    // Refused (the video deleted, the session ended): the page as the
    // server renders it now says so.
  }
  try {
    await rerender();
  } catch {
    window.location.reload();
    return false;
  }
  const playable = !!document.querySelector('#player[data-src]');
  if (playable) announce(document.getElementById('page-status'), t('js.watch.ready'));
  return playable;
}
