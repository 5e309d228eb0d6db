// Writes p2p-media-loader-core's ES module, with one fix, to the path
// given, for the bundle to use instead of the original.
//
// The fix: when a request's bytes are thrown away (a peer sent a segment
// that failed its hash check, say), p2p-media-loader-core 2.3.1 also
// forgets the request's total size, which for a byte-range segment is
// fixed by its range. Its HTTP loader then takes every 206 answer for
// that segment as the wrong length, and the segment never loads again,
// so playback stops at the first corrupted segment a peer sends. Keeping
// the range's size restores what the request had when it was created.
//
// The text replaced must be found exactly once: a new version of the
// library fails the build here, to be checked, rather than ship unfixed.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const [source, target] = process.argv.slice(2);
if (!source || !target) {
  console.error('usage: node patch-p2pml.mjs SOURCE TARGET');
  process.exit(2);
}

const original = `	clearLoadedBytes() {
		this._loadedBytes = 0;
		this.bytes = [];
		this._totalBytes = void 0;
		this.finalData = void 0;
	}`;
const fixed = `	clearLoadedBytes() {
		this._loadedBytes = 0;
		this.bytes = [];
		const { byteRange } = this.segment;
		this._totalBytes = byteRange ? byteRange.end - byteRange.start + 1 : void 0;
		this.finalData = void 0;
	}`;

const text = readFileSync(source, 'utf8');
const at = text.indexOf(original);
if (at < 0 || text.indexOf(original, at + 1) >= 0) {
  console.error(`patch-p2pml: ${source} does not hold the clearLoadedBytes this fix was written for; check the new version`);
  process.exit(1);
}
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, text.replace(original, fixed));
