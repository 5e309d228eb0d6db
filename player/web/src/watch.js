// Watch page script. Expects this markup from the server's template:
//
//   <div class="player-wrap">
//     <video id="player" data-src="MASTER_PLAYLIST_URL" data-hashes="SEGMENT_HASH_MAP_URL" controls playsinline></video>
//   </div>
//   <p class="controls"><label for="quality">Quality</label> <select id="quality"></select></p>
//   <p id="player-error" role="alert" hidden></p>      (optional: created if missing)
//
// Peer-to-peer delivery is on when the video element also carries
// data-tracker (the tracker socket URL; absent when the admin turned P2P
// off) and data-video (the video's UUID, its swarm id), unless the viewer
// switched it off with the checkbox added next to the quality menu;
// segments from peers are checked against the hash map at data-hashes.
// Playback statistics are reported to the server (report.js).
//
// The video's data-state attribute goes loading -> playing, or -> error, so
// styles and browser tests can follow playback without reading the console.
//
// A video still being transcoded has a notice instead (waiting.js); the
// player starts in its place once the video is published.

import CuttlePlayer from './player.js';
import { addP2PToggle, p2pWanted } from './p2p-setting.js';
import { startReports } from './report.js';
import { unlockWithPassword } from './password.js';
import { mountChapters } from './chapters.js';
import { mountSubtitles } from './subtitles.js';
import { playWhenReady } from './waiting.js';

function qualityLabel(level, all) {
  if (!level.height) return `${Math.round(level.bitrate / 1000)} kbit/s`;
  // Two renditions of one height differ only in bitrate; say so.
  const sameHeight = all.filter((l) => l.height === level.height).length > 1;
  return sameHeight ? `${level.height}p (${(level.bitrate / 1e6).toFixed(1)} Mbit/s)` : `${level.height}p`;
}

function setMenuHidden(select, hidden) {
  const container = select.closest('.controls');
  if (container) {
    container.hidden = hidden;
    return;
  }
  select.hidden = hidden;
  for (const label of select.labels) label.hidden = hidden;
}

function fillQualityMenu(select, levels) {
  select.replaceChildren(new Option('Auto', '-1', true, true));
  // Highest first, as viewers expect; the option value keeps the hls.js index.
  levels
    .map((level, index) => ({ level, index }))
    .sort((a, b) => b.level.height - a.level.height || b.level.bitrate - a.level.bitrate)
    .forEach(({ level, index }) => select.add(new Option(qualityLabel(level, levels), String(index))));
  // With one rendition, or when the browser picks renditions itself, a menu
  // would offer nothing to choose.
  setMenuHidden(select, levels.length < 2);
}

function showError(video, message) {
  let box = document.getElementById('player-error');
  if (!box) {
    box = document.createElement('p');
    box.id = 'player-error';
    box.setAttribute('role', 'alert');
    (video.closest('.player-wrap') || video).insertAdjacentElement('afterend', box);
  }
  box.textContent = message;
  box.hidden = false;
}

// start sets up the player; autoplay starts it at once, for a viewer who
// waited on the page for the video to be ready.
function start({ autoplay = false } = {}) {
  const transcoding = document.querySelector('[data-transcoding]');
  if (transcoding) {
    playWhenReady(transcoding).then((playable) => {
      if (playable) start({ autoplay: true });
    });
    return;
  }
  const video = document.getElementById('player');
  if (video && !video.dataset.src && video.dataset.passwordVideo) {
    // A password-protected video plays once the viewer unlocked it.
    unlockWithPassword(video).then(start);
    return;
  }
  if (!video || !video.dataset.src) return;
  const select = document.getElementById('quality');
  if (select) setMenuHidden(select, true);

  video.dataset.state = 'loading';
  video.addEventListener('playing', () => {
    video.dataset.state = 'playing';
  });

  const { tracker, video: videoId, hashes } = video.dataset;
  if (tracker && videoId) addP2PToggle((select && select.closest('.controls')) || select || video.closest('.player-wrap') || video);
  const p2p = tracker && videoId && p2pWanted() ? { tracker, swarmId: videoId, hashes } : undefined;

  const player = CuttlePlayer.mount(video, {
    src: video.dataset.src,
    p2p,
    onLevels(levels) {
      if (select) fillQualityMenu(select, levels);
    },
    onStats(stats) {
      // In automatic mode, show which quality is actually playing.
      if (select && select.options.length) {
        select.options[0].text = stats.auto && stats.height ? `Auto (${stats.height}p)` : 'Auto';
      }
    },
    onError(error) {
      if (error.recovering) return;
      video.dataset.state = 'error';
      showError(video, `The video cannot be played (${error.details}).`);
    },
  });

  if (videoId && player.stats) startReports(videoId, () => player.stats());
  mountChapters(video);
  mountSubtitles(video);

  if (select) {
    select.addEventListener('change', () => {
      player.setLevel(Number(select.value));
    });
  }
  // A browser that allows no autoplay leaves the play button to the viewer.
  if (autoplay) video.play().catch(() => {});
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', () => start(), { once: true });
} else {
  start();
}
