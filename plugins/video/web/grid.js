// The tile grid: fits up to 32 tiles on one screen (the column count that gives the largest 16:9 tiles),
// highlights the active speaker, shows five QoS dots per tile and the self view in a corner.
import { t } from '/_common/i18n.js';

export const METRICS = ['videoBitrate', 'blur', 'freeze', 'stutter', 'audioBitrate'];

export function bestColumns(n, width, height, gap = 6) {
  let best = { cols: 1, size: 0 };
  for (let cols = 1; cols <= Math.max(1, n); cols++) {
    const rows = Math.ceil(n / cols);
    const w = Math.min((width - gap * (cols - 1)) / cols, ((height - gap * (rows - 1)) / rows) * 16 / 9);
    if (w > best.size) best = { cols, size: w };
  }
  return best.cols;
}

export function createGrid(root, { onPin }) {
  root.classList.add('vc-grid');
  const tiles = new Map();
  const self = document.createElement('div');
  self.className = 'vc-self';
  self.innerHTML = '<video autoplay playsinline muted></video><span class="vc-name"></span>';
  root.appendChild(self);
  let speaker = null; let pinned = null;

  function layout() {
    const n = tiles.size;
    const r = root.getBoundingClientRect();
    const cols = bestColumns(Math.max(1, n), r.width, r.height);
    root.style.setProperty('--cols', String(cols));
    root.style.setProperty('--rows', String(Math.max(1, Math.ceil(n / cols))));
    root.dataset.count = String(n);
  }
  new ResizeObserver(layout).observe(root);

  function tileFor(who) {
    let tile = tiles.get(who.id);
    if (tile) return tile;
    const el = document.createElement('div');
    el.className = 'vc-tile';
    el.dataset.participant = who.id;
    el.innerHTML = `<video autoplay playsinline muted></video><audio autoplay></audio>
      <div class="vc-label"><span class="vc-mic" hidden>🔇</span><span class="vc-name"></span></div>
      <div class="vc-qos">${METRICS.map((m) => `<span class="dot" data-metric="${m}" title=""></span>`).join('')}</div>`;
    el.addEventListener('click', () => onPin(who.id));
    root.insertBefore(el, self);
    tile = { el, video: el.querySelector('video'), audio: el.querySelector('audio'), vTrack: null, aTrack: null };
    tiles.set(who.id, tile);
    layout();
    return tile;
  }

  return {
    setLocal(stream, name) { self.querySelector('video').srcObject = stream; self.querySelector('.vc-name').textContent = `${name}（${t('me')}）`; },
    upsert(who, { video, audio }) {
      const tile = tileFor(who);
      tile.el.querySelector('.vc-name').textContent = who.name || who.id;
      if (video && tile.vTrack !== video) { tile.vTrack = video; tile.video.srcObject = new MediaStream([video]); }
      if (audio && tile.aTrack !== audio) { tile.aTrack = audio; tile.audio.srcObject = new MediaStream([audio]); }
    },
    retain(ids) {
      for (const [id, tile] of tiles) if (!ids.includes(id)) { tile.el.remove(); tiles.delete(id); }
      layout();
    },
    setSpeaker(id) {
      speaker = id;
      for (const [pid, tile] of tiles) tile.el.classList.toggle('speaking', pid === speaker);
    },
    setPinned(id) {
      pinned = id;
      for (const [pid, tile] of tiles) tile.el.classList.toggle('pinned', pid === pinned);
      root.classList.toggle('has-pin', !!pinned);
    },
    setMuted(id, muted) { const tile = tiles.get(id); if (tile) tile.el.querySelector('.vc-mic').hidden = !muted?.audio; },
    setQos(rows) {
      for (const row of rows) {
        const tile = tiles.get(row.participant);
        if (!tile) continue;
        for (const m of METRICS) {
          const dot = tile.el.querySelector(`[data-metric="${m}"]`);
          dot.className = `dot ${row.levels[m]}`;
          dot.title = `${t(`m.${m}`)}: ${t(`lvl.${row.levels[m]}`)}`;
        }
      }
    },
    visibleIds() { return [...tiles.keys()]; },
    videoElements() { return [...tiles].map(([id, tile]) => [id, tile.video]); },
  };
}
