// Peer-to-peer delivery for the player: p2p-media-loader on top of hls.js.
//
// Viewers of the same rendition of a video form a swarm on the instance's
// own tracker (never a public one) and fetch segments from each other over
// WebRTC data channels, falling back to HTTP. Every segment that came from
// a peer is checked against the video's segment hash map before hls.js
// sees it; a peer that sends a wrong one is disconnected by the engine and
// the segment is fetched again.
//
// Options (all from the watch page):
//   tracker  ws(s):// URL of the tracker socket for this video
//   swarmId  the video's UUID: the swarm does not depend on the playlist URL
//   src      master playlist URL
//   hashes   the segment hash map's URL (the API's segmentsSha256Url), to
//            which the master's file token is added if it has none

import { HlsJsP2PEngine } from 'p2p-media-loader-hlsjs';

// Counters of the current page, read by the stats reporter and by browser
// tests.
export const p2pStats = (window.cuttleP2PStats = window.cuttleP2PStats || {
  enabled: false,
  downloadedBytesP2P: 0,
  uploadedBytesP2P: 0,
  rejectedSegments: 0,
  peers: 0,
});

// P2P needs SubtleCrypto to check segments, which browsers only offer on
// secure origins (https, or localhost).
export function p2pSupported() {
  return !!(window.crypto && window.crypto.subtle && window.RTCPeerConnection);
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

function fileName(url) {
  const path = new URL(url, window.location.href).pathname;
  return path.slice(path.lastIndexOf('/') + 1);
}

// withToken puts the master playlist's file token (which opens the files
// of a video that is not public) on another URL of the video that lacks
// one.
function withToken(url, src) {
  const u = new URL(url, window.location.href);
  const token = new URL(src, window.location.href).searchParams.get('videoFileToken');
  if (token && !u.searchParams.has('videoFileToken')) u.searchParams.set('videoFileToken', token);
  return u;
}

// expectedHash finds a segment's hash in either shape of the map:
// PeerTube's {file: {"start-end": hash}} for byte ranges of one fragmented
// MP4 (end inclusive, as the engine gives byteRange), or the older
// {file: hash} for segments that are whole files.
function expectedHash(map, url, byteRange) {
  const entry = map[fileName(url)];
  if (typeof entry === 'string') return byteRange ? undefined : entry;
  if (!entry || !byteRange) return undefined;
  return entry[`${byteRange.start}-${byteRange.end}`];
}

function segmentValidator(mapURL) {
  let hashes;
  const load = () => {
    hashes ??= fetch(mapURL, { credentials: 'same-origin' }).then((r) => {
      if (!r.ok) throw new Error(`segment hash map: HTTP ${r.status}`);
      return r.json();
    });
    // A failed fetch is retried by the next segment instead of rejecting
    // every segment for good.
    hashes.catch(() => {
      hashes = undefined;
    });
    return hashes;
  };
  return async (url, byteRange, data) => {
    const expected = expectedHash(await load(), url, byteRange);
    if (!expected) return false;
    const ok = hex(await window.crypto.subtle.digest('SHA-256', data)) === expected;
    if (!ok) p2pStats.rejectedSegments += 1;
    return ok;
  };
}

// hlsWithP2P builds an hls.js instance whose segment loader goes through
// the P2P engine.
export function hlsWithP2P(Hls, config, { tracker, swarmId, src, hashes }) {
  const HlsP2P = HlsJsP2PEngine.injectMixin(Hls);
  // The swarm of a video that is not public needs the file token that
  // opens its files; it is on the playlist URL.
  const trackerURL = withToken(tracker, src);
  const hls = new HlsP2P({
    ...config,
    p2p: {
      core: {
        announceTrackers: [trackerURL.toString()],
        swarmId,
        // Peers on one network find each other through host candidates;
        // the instance runs no STUN or TURN server and borrows none.
        rtcConfig: { iceServers: [] },
        validateP2PSegment: segmentValidator(withToken(hashes, src).toString()),
      },
    },
  });
  const engine = hls.p2pEngine;
  const peers = new Set();
  p2pStats.enabled = true;
  engine.addEventListener('onSegmentLoaded', (d) => {
    if (d.downloadSource === 'p2p') p2pStats.downloadedBytesP2P += d.bytesLength;
  });
  engine.addEventListener('onChunkUploaded', (bytes) => {
    p2pStats.uploadedBytesP2P += bytes;
  });
  engine.addEventListener('onPeerConnect', (d) => {
    peers.add(d.peerId);
    p2pStats.peers = peers.size;
  });
  engine.addEventListener('onPeerClose', (d) => {
    peers.delete(d.peerId);
    p2pStats.peers = peers.size;
  });
  return hls;
}
