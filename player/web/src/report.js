// Playback reports: every 15 seconds, and when the page goes away, the
// player's counters since the previous report go to the server
// (PeerTube's POST /api/v1/metrics/playback), where they are summed up.

const REPORT_INTERVAL_MS = 15000;
const COUNTERS = ['downloadedBytesP2P', 'downloadedBytesHTTP', 'uploadedBytesP2P', 'errors', 'bufferStalled', 'resolutionChanges'];

export function startReports(videoId, read) {
  let sent = Object.fromEntries(COUNTERS.map((k) => [k, 0]));

  const build = () => {
    const s = read();
    if (!s) return null;
    const now = {
      downloadedBytesP2P: s.downloadedBytesP2P,
      downloadedBytesHTTP: s.downloadedBytesHTTP,
      uploadedBytesP2P: s.uploadedBytesP2P,
      errors: s.errors,
      bufferStalled: s.stalls,
      resolutionChanges: s.levelSwitches,
    };
    const report = {
      playerMode: s.p2pEnabled ? 'p2p-media-loader' : 'web-video',
      resolution: s.height || undefined,
      p2pEnabled: s.p2pEnabled,
      p2pPeers: s.p2pPeers,
      videoId,
    };
    let changed = false;
    for (const k of COUNTERS) {
      report[k] = Math.max(0, now[k] - sent[k]);
      if (report[k] > 0) changed = true;
    }
    if (!changed) return null;
    sent = now;
    return JSON.stringify(report);
  };

  const url = '/api/v1/metrics/playback';
  const timer = window.setInterval(() => {
    const body = build();
    if (body) fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, keepalive: true }).catch(() => {});
  }, REPORT_INTERVAL_MS);
  const flush = () => {
    const body = build();
    if (body && navigator.sendBeacon) navigator.sendBeacon(url, new Blob([body], { type: 'application/json' }));
  };
  window.addEventListener('pagehide', flush);
  return {
    flush,
    stop() {
      window.clearInterval(timer);
      window.removeEventListener('pagehide', flush);
    },
  };
}
