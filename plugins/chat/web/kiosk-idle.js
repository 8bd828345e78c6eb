// A kiosk its customer walked away from: after a quiet spell it asks 还需要帮助吗？ and, unanswered, starts over,
// so that the next customer never reads the previous one's conversation.
export function createIdleReset({ idleMs, graceMs, applies, onWarn, onCancel, onReset }) {
  let idleTimer = null;
  let tick = null;
  let left = 0;
  const clear = () => { clearTimeout(idleTimer); clearInterval(tick); idleTimer = null; tick = null; };
  function arm() {
    clear();
    if (!(idleMs > 0)) return;
    idleTimer = setTimeout(() => {
      // waiting for or talking to an agent is not idleness: look again after another quiet spell
      if (!applies()) { arm(); return; }
      left = Math.max(1, Math.ceil(graceMs / 1000));
      onWarn(left);
      tick = setInterval(() => {
        left -= 1;
        if (left > 0) { onWarn(left); return; }
        clear();
        onReset();
      }, 1000);
    }, idleMs);
  }
  return {
    /** any touch, key or typing: the customer is still there */
    poke() { const warned = tick !== null; arm(); if (warned) onCancel(); },
    start: arm,
    stop: clear,
  };
}
