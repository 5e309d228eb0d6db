// CuttlePlayer plays an HLS master playlist in a <video> element.
//
// hls.js does the work where the browser has Media Source Extensions; Safari
// on iOS has none, but plays HLS natively, so there the playlist goes straight
// to the element and the browser picks the rendition itself.

import Hls from 'hls.js';
import { hlsWithP2P, p2pStats, p2pSupported } from './p2p.js';

// Fatal errors are kept on the page so automated browser checks can read them
// without hooking the callbacks.
const errors = (window.cuttlePlayerErrors = window.cuttlePlayerErrors || []);

const HLS_MIME = 'application/vnd.apple.mpegurl';

// The one place the hls.js engine is constructed: delivery strategies that
// wrap hls.js (such as a peer-to-peer segment loader) are substituted here
// without touching the rest of the player.
function createHls(config, p2p) {
  // Without the hash map, segments from peers could not be checked.
  if (p2p && p2p.hashes && p2pSupported()) return hlsWithP2P(Hls, config, p2p);
  return new Hls(config);
}

// hls.js's ES module build, which the bundle uses, runs its transmuxer on the
// page's thread instead of a worker. Cuttle's renditions are fragmented MP4,
// which hls.js passes through to the MediaSource without transmuxing, so there
// is no worker script to serve.
const hlsConfig = {
  // A 360-pixel-wide player has no use for 1080p segments; automatic quality
  // stays within what the element can show.
  capLevelToPlayerSize: true,
};

function report(onError, error) {
  errors.push({ ...error, time: Date.now() });
  if (onError) {
    onError(error);
  } else {
    console.error('cuttle player:', error.type, error.details, error.message);
  }
}

// p2p, when set, is {tracker, swarmId, hashes} and turns peer-to-peer
// delivery on (see p2p.js).
function mount(video, { src, onError, onStats, onLevels, p2p } = {}) {
  if (!(video instanceof HTMLVideoElement)) {
    throw new TypeError('CuttlePlayer.mount needs a <video> element');
  }
  if (!src) {
    throw new TypeError('CuttlePlayer.mount needs a src (an HLS master playlist URL)');
  }
  if (Hls.isSupported()) {
    return mountHls(video, src, onError, onStats, onLevels, p2p && { ...p2p, src });
  }
  if (video.canPlayType(HLS_MIME)) {
    return mountNative(video, src, onError, onStats, onLevels);
  }
  report(onError, {
    type: 'unsupported',
    details: 'noHlsSupport',
    fatal: true,
    message: 'This browser can play neither Media Source Extensions nor HLS.',
  });
  return { destroy() {}, levels: () => [], setLevel: () => false };
}

function mountHls(video, src, onError, onStats, onLevels, p2p) {
  let hls = createHls(hlsConfig, p2p);
  let recoveredMedia = false;
  const stats = {
    level: -1,
    height: 0,
    bitrate: 0,
    bandwidthEstimate: 0,
    bytesLoaded: 0,
    fragmentsLoaded: 0,
    levelSwitches: 0,
    stalls: 0,
    errors: 0,
  };

  const levels = () => (hls ? hls.levels.map((l) => ({ height: l.height, bitrate: l.bitrate })) : []);

  const emitStats = () => {
    if (onStats) onStats({ ...stats, auto: hls.autoLevelEnabled });
  };

  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    if (onLevels) onLevels(levels());
  });

  hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => {
    const level = hls.levels[data.level];
    if (stats.level !== -1 && stats.level !== data.level) stats.levelSwitches += 1;
    stats.level = data.level;
    stats.height = level ? level.height : 0;
    stats.bitrate = level ? level.bitrate : 0;
    emitStats();
  });

  hls.on(Hls.Events.FRAG_LOADED, (_event, data) => {
    stats.bytesLoaded += data.payload ? data.payload.byteLength : 0;
    stats.fragmentsLoaded += 1;
    stats.bandwidthEstimate = Math.round(hls.bandwidthEstimate);
    emitStats();
  });

  hls.on(Hls.Events.ERROR, (_event, data) => {
    // hls.js retries non-fatal errors itself; only fatal ones stop playback.
    if (!data.fatal) {
      if (data.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR) stats.stalls += 1;
      return;
    }
    stats.errors += 1;
    const error = {
      type: data.type,
      details: data.details,
      fatal: true,
      message: data.error ? data.error.message : data.details,
    };
    // A decoder or buffer failure often clears after the media source is
    // rebuilt; a second one in the same session means the stream itself is bad.
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recoveredMedia) {
      recoveredMedia = true;
      report(onError, { ...error, recovering: true });
      hls.recoverMediaError();
      return;
    }
    report(onError, error);
    // A fatal error leaves hls.js unable to continue; releasing it frees the
    // MediaSource and stops any retries still scheduled.
    hls.destroy();
    hls = null;
  });

  hls.loadSource(src);
  hls.attachMedia(video);

  return {
    destroy() {
      if (hls) hls.destroy();
      hls = null;
    },
    levels,
    // stats returns the playback counters, with bytes split by source.
    stats() {
      const p2pBytes = p2pStats.enabled ? p2pStats.downloadedBytesP2P : 0;
      return {
        ...stats,
        p2pEnabled: p2pStats.enabled,
        p2pPeers: p2pStats.enabled ? p2pStats.peers : 0,
        downloadedBytesP2P: p2pBytes,
        downloadedBytesHTTP: Math.max(0, stats.bytesLoaded - p2pBytes),
        uploadedBytesP2P: p2pStats.enabled ? p2pStats.uploadedBytesP2P : 0,
      };
    },
    // -1 returns to automatic selection. The switch happens at the next
    // segment boundary so playback does not stall on a flushed buffer.
    setLevel(index) {
      if (!hls || !Number.isInteger(index) || index < -1 || index >= hls.levels.length) return false;
      hls.nextLevel = index;
      return true;
    },
  };
}

function mountNative(video, src, onError, onStats, onLevels) {
  const onVideoError = () => {
    const mediaError = video.error;
    report(onError, {
      type: 'mediaError',
      details: mediaError ? `mediaErrorCode${mediaError.code}` : 'unknown',
      fatal: true,
      message: (mediaError && mediaError.message) || 'the browser could not play the video',
    });
  };
  // The browser hides the renditions, so there is no menu to fill and the
  // only statistic worth sending is the size it settled on.
  const onResize = () => {
    if (onStats) onStats({ level: -1, height: video.videoHeight, auto: true });
  };
  video.addEventListener('error', onVideoError);
  video.addEventListener('resize', onResize);
  video.src = src;
  if (onLevels) onLevels([]);

  return {
    destroy() {
      video.removeEventListener('error', onVideoError);
      video.removeEventListener('resize', onResize);
      video.removeAttribute('src');
      video.load();
    },
    levels: () => [],
    setLevel: () => false,
  };
}

const CuttlePlayer = { mount };
window.CuttlePlayer = CuttlePlayer;
export default CuttlePlayer;
