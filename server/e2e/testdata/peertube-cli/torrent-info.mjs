// Decodes a .torrent file (the path in argv) with webtorrent's bencode,
// a decoder independent of the one the server encodes with, and prints
// what the e2e tests check as JSON: the v1 info hash (SHA-1 of the info
// dictionary as stored), the file's name, length and piece length, every
// piece hash, the web seeds and the trackers.
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import bencode from 'bencode'

const raw = readFileSync(process.argv[2])
const t = bencode.decode(raw)
const text = (b) => new TextDecoder().decode(b)
const list = (v) => (v === undefined ? [] : Array.isArray(v) ? v.map(text) : [text(v)])
const pieces = []
for (let i = 0; i < t.info.pieces.length; i += 20) {
  pieces.push(Buffer.from(t.info.pieces.subarray(i, i + 20)).toString('hex'))
}
console.log(JSON.stringify({
  infoHash: createHash('sha1').update(bencode.encode(t.info)).digest('hex'),
  name: text(t.info.name),
  length: t.info.length,
  pieceLength: t.info['piece length'],
  pieces,
  urlList: list(t['url-list']),
  announce: t.announce === undefined ? [] : [text(t.announce)],
}))
