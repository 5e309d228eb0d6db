// The viewer's P2P switch: a checkbox beside the player controls, kept in
// localStorage. The admin's switch wins: without a tracker URL on the page
// there is no checkbox and no P2P.

const KEY = 'cuttle.p2p';

export function p2pWanted() {
  try {
    return window.localStorage.getItem(KEY) !== 'off';
  } catch {
    return true; // storage blocked: keep the default
  }
}

// addP2PToggle puts the checkbox after `after`; changing it reloads the
// page, since the player is built with or without P2P.
export function addP2PToggle(after) {
  const label = document.createElement('label');
  label.className = 'p2p-toggle';
  label.title = 'Share the video with other viewers over WebRTC. They see your IP address, and you see theirs.';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.id = 'p2p-toggle';
  box.checked = p2pWanted();
  label.append(box, ' Share with other viewers (P2P)');
  box.addEventListener('change', () => {
    try {
      window.localStorage.setItem(KEY, box.checked ? 'on' : 'off');
    } catch {
      return;
    }
    window.location.reload();
  });
  after.insertAdjacentElement('afterend', label);
  return box;
}
