// Chapters under the player. The server lists them as
//
//   <nav class="chapters"><ol><li><a href="#t=SECONDS" data-time="SECONDS">…</a></li>…</ol></nav>
//
// and gives the <video> the same chapters as a WebVTT <track kind="chapters">
// for players that show them on the timeline. Clicking a chapter seeks there
// and plays; the chapter playing is marked with aria-current.

export function mountChapters(video) {
  const nav = document.querySelector('nav.chapters');
  if (!nav || !video) return;
  const links = [...nav.querySelectorAll('a[data-time]')];
  const times = links.map((a) => Number(a.dataset.time));

  nav.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-time]');
    if (!link) return;
    event.preventDefault();
    video.currentTime = Number(link.dataset.time);
    video.play().catch(() => {});
  });

  let current = -1;
  const mark = () => {
    let playing = -1;
    times.forEach((t, i) => {
      if (video.currentTime + 0.25 >= t) playing = i;
    });
    if (playing === current) return;
    if (current >= 0) links[current].removeAttribute('aria-current');
    if (playing >= 0) links[playing].setAttribute('aria-current', 'true');
    current = playing;
  };
  video.addEventListener('timeupdate', mark);
  video.addEventListener('seeked', mark);

  // A link to the page with #t=SECONDS starts there.
  const start = /^#t=(\d+)$/.exec(window.location.hash);
  if (start) {
    video.addEventListener('loadedmetadata', () => {
      video.currentTime = Number(start[1]);
    }, { once: true });
  }
}
