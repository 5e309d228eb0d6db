// Password-protected videos on the watch page. The server renders a form
// instead of the playlist:
//
//   <div class="player-wrap" hidden><video id="player" data-password-video="ID"></video></div>
//   <form id="video-password"> <input id="video-password-input" type="password"> ...
//     <p id="video-password-error" role="alert" hidden></p></form>
//   <h1 id="video-title" hidden></h1>
//
// With the password the viewer types, the page asks the API for a file token
// (POST /api/v1/videos/ID/token with the x-peertube-video-password header)
// and for the video, then gives the player the master playlist with the
// token: the server puts the token in every URL of the playlists it serves.

const PASSWORD_HEADER = 'x-peertube-video-password';

async function problemMessage(res) {
  let body = {};
  try {
    body = await res.json();
  } catch {
    // Not a problem document; the status says enough.
  }
  if (body.code === 'incorrect_video_password') return 'This password is not right.';
  if (res.status === 429) return body.detail || 'Too many wrong passwords; try again later.';
  return body.detail || `The server answered ${res.status}.`;
}

async function unlock(id, password) {
  const headers = { [PASSWORD_HEADER]: password };
  const tokenRes = await fetch(`/api/v1/videos/${id}/token`, { method: 'POST', headers });
  if (!tokenRes.ok) throw new Error(await problemMessage(tokenRes));
  const { files } = await tokenRes.json();
  const videoRes = await fetch(`/api/v1/videos/${id}`, { headers });
  if (!videoRes.ok) throw new Error(await problemMessage(videoRes));
  const details = await videoRes.json();
  const playlist = details.streamingPlaylists && details.streamingPlaylists[0];
  if (!playlist) throw new Error('This video is not ready to be played yet. Try again in a moment.');
  const url = new URL(playlist.playlistUrl, window.location.href);
  url.searchParams.set('videoFileToken', files.token);
  // The hash map gets its token from the playlist URL (see p2p.js).
  return { details, src: url.href, hashes: playlist.segmentsSha256Url };
}

// unlockWithPassword resolves once the viewer typed a right password, with
// the video's data-src set to the tokenized master playlist and data-hashes
// to the segment hash map.
export function unlockWithPassword(video) {
  const form = document.getElementById('video-password');
  const input = document.getElementById('video-password-input');
  const error = document.getElementById('video-password-error');
  const id = encodeURIComponent(video.dataset.passwordVideo);
  return new Promise((resolve) => {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.hidden = true;
      form.setAttribute('aria-busy', 'true');
      try {
        const { details, src, hashes } = await unlock(id, input.value);
        video.dataset.src = src;
        if (hashes) video.dataset.hashes = hashes;
        if (details.previewPath) video.poster = details.previewPath;
        video.setAttribute('aria-label', details.name);
        const title = document.getElementById('video-title');
        if (title) {
          title.textContent = details.name;
          title.hidden = false;
        }
        document.title = `${details.name} · Cuttle`;
        form.hidden = true;
        (video.closest('.player-wrap') || video).hidden = false;
        resolve();
      } catch (e) {
        error.textContent = e.message;
        error.hidden = false;
        input.focus();
      } finally {
        form.removeAttribute('aria-busy');
      }
    });
  });
}
