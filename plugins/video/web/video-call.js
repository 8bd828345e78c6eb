// Embeddable call client: mountCall(root, opts) joins a room through the box's signalling socket, publishes
// camera + microphone with three simulcast layers, shows every other participant in a grid that fits one
// screen, reports getStats() every second and renders the QoS figures the box sends back.
import { createGrid } from './grid.js';
import { laplacianVariance } from './sharpness.js';

// L1T3 per encoding (Chrome's simulcast default, stated so it holds): three temporal layers let the SFU send
// grid thumbnails a quarter or half of the frames without asking the browser for anything
const ENCODINGS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: 'L1T3' },
];
const STAT_FIELDS = ['bytesReceived', 'packetsReceived', 'packetsLost', 'nackCount', 'framesDecoded', 'framesDropped', 'qpSum',
  'frameWidth', 'frameHeight', 'freezeCount', 'totalFreezesDuration', 'concealedSamples', 'silentConcealedSamples',
  'totalSamplesReceived', 'concealmentEvents', 'totalAudioEnergy', 'audioLevel', 'jitter'];

function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === 'complete') { pc.removeEventListener('icegatheringstatechange', done); resolve(); } };
    pc.addEventListener('icegatheringstatechange', done);
    setTimeout(resolve, 2000); // host candidates only on a LAN: never wait long
  });
}

export function mountCall(root, opts) {
  const state = {
    me: opts.participant || sessionStorage.getItem('kefu.video.pid') || `p-${Math.random().toString(36).slice(2, 10)}`,
    ws: null, pub: null, sub: null, stream: null, closed: false, slots: [], roster: new Map(), qos: new Map(),
    speaker: null, midTracks: new Map(), lapTick: 0, statsTimer: null, retry: 0, listeners: new Set(),
  };
  sessionStorage.setItem('kefu.video.pid', state.me);
  const grid = createGrid(root, { onPin: (id) => sendView(id) });
  const emit = (ev) => { for (const fn of state.listeners) fn(ev); };
  const send = (msg) => { if (state.ws?.readyState === 1) state.ws.send(JSON.stringify(msg)); };
  let pinned = null;
  const sendView = (pin) => { if (pin !== undefined) pinned = pin === pinned ? null : pin; grid.setPinned(pinned); send({ t: 'view', pinned, visible: grid.visibleIds() }); };

  async function startMedia() {
    if (state.stream) return state.stream;
    state.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: opts.width ?? 1280, height: opts.height ?? 720, frameRate: 15 } });
    grid.setLocal(state.stream, { id: state.me, name: opts.name, role: opts.role });
    return state.stream;
  }

  async function publish() {
    const stream = await startMedia();
    const pc = new RTCPeerConnection();
    state.pub = pc;
    const [video] = stream.getVideoTracks(); const [audio] = stream.getAudioTracks();
    if (video) pc.addTransceiver(video, { direction: 'sendonly', sendEncodings: ENCODINGS.map((e) => ({ ...e })) });
    if (audio) pc.addTransceiver(audio, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    send({ t: 'publish', sdp: pc.localDescription.sdp, ref: 'publish' });
  }

  function newSubscriber() {
    state.sub?.close();
    const pc = new RTCPeerConnection();
    state.sub = pc;
    state.midTracks = new Map();
    pc.ontrack = (e) => { state.midTracks.set(e.transceiver.mid, e.track); bindTiles(); };
    pc.ondatachannel = (e) => { e.channel.onmessage = (m) => emit({ type: 'data', data: m.data }); state.dc = e.channel; };
    return pc;
  }

  function bindTiles() {
    const ids = [];
    for (const s of state.slots) {
      if (!s.participant) continue;
      ids.push(s.participant);
      const who = state.roster.get(s.participant) || { id: s.participant, name: s.participant };
      grid.upsert(who, { video: state.midTracks.get(s.videoMid), audio: state.midTracks.get(s.audioMid) });
    }
    grid.retain(ids);
    queueView();
    emit({ type: 'tiles', ...grid.counts() });
  }

  // many tracks arrive at once on a renegotiation: tell the box the view once they settle
  let viewTimer = null;
  function queueView() {
    clearTimeout(viewTimer);
    viewTimer = setTimeout(() => send({ t: 'view', pinned, visible: grid.visibleIds() }), 150);
  }

  async function onMessage(msg) {
    switch (msg.t) {
      case 'joined':
        state.retry = 0;
        state.roster = new Map(msg.roster.map((p) => [p.id, p]));
        emit({ type: 'joined', msg });
        await publish();
        break;
      case 'offer': {
        const pc = state.sub && state.sub.signalingState !== 'closed' && !msg.fresh ? state.sub : newSubscriber();
        state.slots = msg.slots;
        await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
        await pc.setLocalDescription(await pc.createAnswer());
        await gathered(pc);
        send({ t: 'answer', sdp: pc.localDescription.sdp });
        bindTiles();
        break;
      }
      case 'answer': await state.pub.setRemoteDescription({ type: 'answer', sdp: msg.sdp }); break;
      case 'republish': state.pub?.close(); state.pub = null; await publish(); break;
      case 'slots': state.slots = msg.slots; bindTiles(); break;
      case 'participant':
        if (msg.event === 'left') state.roster.delete(msg.participant.id);
        else state.roster.set(msg.participant.id, { ...state.roster.get(msg.participant.id), ...msg.participant });
        if (msg.event === 'muted') grid.setMuted(msg.participant.id, msg.participant.muted);
        bindTiles();
        emit({ type: 'participant', event: msg.event, participant: msg.participant });
        break;
      case 'speaker': state.speaker = msg.active; grid.setSpeaker(msg.active); break;
      case 'layers': {
        const sender = state.pub?.getSenders().find((s) => s.track?.kind === 'video');
        if (!sender) break;
        const p = sender.getParameters();
        for (const e of p.encodings) e.active = msg.active.includes(e.rid);
        await sender.setParameters(p).catch(() => undefined);
        break;
      }
      case 'qos': for (const row of msg.tiles) state.qos.set(row.participant, row); grid.setQos(msg.tiles); emit({ type: 'qos', tiles: msg.tiles }); break;
      case 'hangup': state.closed = true; emit({ type: 'hangup', reason: msg.reason }); stop(); break;
      case 'error': emit({ type: 'error', code: msg.code, message: msg.message }); break;
      default: break;
    }
  }

  async function collectStats() {
    const pc = state.sub;
    if (!pc || state.ws?.readyState !== 1) return;
    const report = await pc.getStats();
    const inbound = [];
    report.forEach((r) => {
      if (r.type !== 'inbound-rtp' || r.mid === undefined) return;
      const o = { mid: String(r.mid), kind: r.kind };
      for (const f of STAT_FIELDS) if (typeof r[f] === 'number') o[f] = r[f];
      inbound.push(o);
    });
    let sharpness;
    if (state.lapTick++ % 3 === 0) {
      sharpness = {};
      for (const [id, el] of grid.videoElements()) { const v = laplacianVariance(el); if (v !== null) sharpness[id] = v; }
    }
    send({ t: 'stats', ts: Date.now(), inbound, ...(sharpness ? { sharpness } : {}) });
  }

  function connect() {
    const ws = new WebSocket(opts.wsUrl);
    state.ws = ws;
    ws.onopen = () => send({ t: 'join', room: opts.room, participant: state.me, name: opts.name, role: opts.role, ...(opts.callId ? { callId: opts.callId } : {}) });
    ws.onmessage = (e) => { let m; try { m = JSON.parse(e.data); } catch { return; } onMessage(m).catch((err) => emit({ type: 'error', code: 'CLIENT', message: String(err) })); };
    ws.onclose = () => {
      if (state.closed) return;
      // a network blip: same participant id, same call, new peer connections
      state.pub?.close(); state.pub = null; state.sub?.close(); state.sub = null;
      emit({ type: 'reconnecting' });
      setTimeout(() => { if (!state.closed) connect(); }, Math.min(5000, 500 * 2 ** state.retry++));
    };
  }

  function stop() {
    state.closed = true;
    window.removeEventListener('pagehide', onPageHide);
    clearInterval(state.statsTimer);
    send({ t: 'leave' });
    state.ws?.close(); state.pub?.close(); state.sub?.close();
    state.stream?.getTracks().forEach((t) => t.stop());
  }

  connect();
  // a closed tab leaves at once; without this the others would see its tile for the whole rejoin grace
  const onPageHide = () => { if (!state.closed) stop(); };
  window.addEventListener('pagehide', onPageHide);
  state.statsTimer = setInterval(() => { collectStats().catch(() => undefined); }, 1000);
  window.addEventListener('resize', queueView);

  return {
    get participant() { return state.me; },
    get subscriber() { return state.sub; },
    get publisher() { return state.pub; },
    get roster() { return state.roster; },
    get qos() { return state.qos; },
    get speaker() { return state.speaker; },
    on(fn) { state.listeners.add(fn); return () => state.listeners.delete(fn); },
    setMuted(kind, muted) {
      state.stream?.getTracks().filter((t) => t.kind === kind).forEach((t) => { t.enabled = !muted; });
      send({ t: 'mute', kind, muted });
    },
    sendData(text) { state.dc?.readyState === 'open' && state.dc.send(text); },
    /** test hook: drop the socket as a network blip would */
    blip() { state.ws?.close(); },
    hangup: stop,
  };
}
