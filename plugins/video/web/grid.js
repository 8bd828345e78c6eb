// The tile grid: fits up to 32 tiles on one screen (the column count that gives the largest 16:9 tiles),
// highlights the active speaker, shows five QoS dots per tile and the self view in a corner.
import { onLangChange, t } from '/_common/i18n.js';

export const METRICS = ['videoBitrate', 'blur', 'freeze', 'stutter', 'audioBitrate'];

/**
 * The column count and tile size that cover the most of the grid. A tile may be 16:9 down to 4:3 (the
 * video is cropped at the sides, as faces tolerate), so that two people on a landscape screen sit side by
 * side across its width instead of stacked in a 16:9 column.
 */
export function bestLayout(n, width, height, gap = 6) {
  let best = { cols: 1, w: 0, h: 0 };
  for (let cols = 1; cols <= Math.max(1, n); cols++) {
    const rows = Math.ceil(n / cols);
    const cw = (width - gap * (cols - 1)) / cols, ch = (height - gap * (rows - 1)) / rows;
    const w = Math.min(cw, (ch * 16) / 9), h = Math.min(ch, (w * 3) / 4);
    if (w > 0 && w * h > best.w * best.h) best = { cols, w: Math.floor(w), h: Math.floor(h) };
  }
  return best;
}

/** A name the page made up from the role (no name given) is shown in the reader's language. */
const ROLE_NAMES = { customer: ['客户', 'Customer'], agent: ['坐席', 'Agent'] };
export function displayName(who) {
  const defaults = ROLE_NAMES[who.role];
  return defaults && (!who.name || defaults.includes(who.name)) ? t(`role.${who.role}`) : (who.name || who.id);
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
    // the content box: the grid's padding is not room for tiles
    const cs = getComputedStyle(root);
    const w = root.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const h = root.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    const best = bestLayout(Math.max(1, n), w, h);
    root.style.setProperty('--cols', String(best.cols));
    root.style.setProperty('--rows', String(Math.max(1, Math.ceil(n / best.cols))));
    root.style.setProperty('--tw', `${best.w}px`);
    root.style.setProperty('--th', `${best.h}px`);
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
      <div class="vc-away" hidden></div>
      <div class="vc-qos">${METRICS.map((m) => `<span class="dot" data-metric="${m}" title=""></span>`).join('')}</div>`;
    el.addEventListener('click', () => onPin(who.id));
    root.insertBefore(el, self);
    tile = { el, who, video: el.querySelector('video'), audio: el.querySelector('audio'), vTrack: null, aTrack: null };
    tiles.set(who.id, tile);
    layout();
    return tile;
  }

  let me = null;
  function label(tile) {
    tile.el.querySelector('.vc-name').textContent = displayName(tile.who);
    // within the rejoin grace: dimmed and labelled, not a live black tile
    const away = !!tile.who.away;
    tile.el.classList.toggle('away', away);
    const badge = tile.el.querySelector('.vc-away');
    badge.hidden = !away; badge.textContent = t('away');
  }
  const labelSelf = () => { if (me) self.querySelector('.vc-name').textContent = t('meLabel', { name: displayName(me) }); };
  onLangChange(() => { labelSelf(); for (const tile of tiles.values()) label(tile); });

  return {
    setLocal(stream, who) { self.querySelector('video').srcObject = stream; me = who; labelSelf(); },
    upsert(who, { video, audio }) {
      const tile = tileFor(who);
      tile.who = who; label(tile);
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
    /** tiles of people connected now, and of people within the rejoin grace */
    counts() { let away = 0; for (const tile of tiles.values()) if (tile.who.away) away++; return { live: tiles.size - away, away }; },
    videoElements() { return [...tiles].map(([id, tile]) => [id, tile.video]); },
  };
}
