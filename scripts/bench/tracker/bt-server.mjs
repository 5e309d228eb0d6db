// bittorrent-tracker's WebSocket server alone, as PeerTube runs it (no
// HTTP or UDP tracker, no stats page), for scripts/bench/p2p.sh.
//   node bt-server.mjs PORT
import Server from 'bittorrent-tracker/server';

const port = Number(process.argv[2] || 0);
const server = new Server({
  http: false,
  udp: false,
  ws: true,
  stats: false,
  // Its default keeps at most 1000 peers per swarm; the benchmark's swarms
  // are smaller, and the limit is lifted so it never evicts.
  peersCacheLength: 100000,
});
server.on('error', (err) => {
  console.error('tracker error:', err.message);
});
server.on('warning', () => {});
server.listen(port, '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.ws.address().port}`);
});
