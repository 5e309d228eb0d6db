// The subtitle menu under the player:
//
//   <select id="subtitles"><option value="">Off</option><option value="LANGUAGE">…</option>…</select>
//
// The subtitles themselves are renditions of the master playlist: hls.js (or
// Safari, natively) makes a text track of each. Picking a language shows that
// track and hides the others; hls.js then fetches its cues. Choices made in
// the player's own captions menu show in this one too.

export function mountSubtitles(video) {
  const select = document.getElementById('subtitles');
  if (!select || !video) return;
  const tracks = () => [...video.textTracks].filter((t) => t.kind === 'subtitles' || t.kind === 'captions');

  const apply = () => {
    const lang = select.value;
    for (const t of tracks()) t.mode = lang && t.language.toLowerCase() === lang ? 'showing' : 'disabled';
  };
  select.addEventListener('change', apply);
  // Tracks appear once the master playlist is read; a choice made before
  // applies to them then.
  video.textTracks.addEventListener('addtrack', () => {
    if (select.value) apply();
  });
  video.textTracks.addEventListener('change', () => {
    const showing = tracks().find((t) => t.mode === 'showing');
    const lang = showing ? showing.language.toLowerCase() : '';
    if ([...select.options].some((o) => o.value === lang)) select.value = lang;
  });
}
