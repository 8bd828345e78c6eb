// Layouts beyond the dev vectors, written from the vendors' AT manuals: EN-DC, neighbour lists, other n forms,
// PDP replies, and replies that must be reported as unparsed rather than mis-mapped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReply } from '../../transports/cellular/at/registry.js';

const parse = (text: string, command?: string) => {
  const r = parseReply(text, { command });
  if (!r.ok) assert.fail(r.reason);
  return r.record;
};

test('QENG EN-DC: the LTE anchor and the NR leg are nested, NR band as "n78"', () => {
  const r = parse('+QENG: "servingcell","NOCONN"\r\n+QENG: "LTE","FDD",222,01,4940206,427,1350,3,5,5,BFF,-94,-15,-58,9,5,100,-\r\n+QENG: "NR5G-NSA",222,01,920,-96,18,-10,648768,78,10,1\r\nOK');
  assert.equal(r.rat, 'NR5G-NSA');
  assert.equal(r.state, 'NOCONN');
  const lte = r.lte as Record<string, unknown>; const nr = r.nr as Record<string, unknown>;
  assert.equal(lte.band, 3); assert.equal(lte.rsrp_dbm, -94); assert.equal(lte.earfcn, 1350); assert.equal(lte.srxlev, null);
  assert.deepEqual({ pci: nr.pci, rsrp: nr.rsrp_dbm, sinr: nr.sinr_db, rsrq: nr.rsrq_db, arfcn: nr.arfcn, band: nr.band, bw: nr.dl_bw_mhz },
    { pci: 920, rsrp: -96, sinr: 18, rsrq: -10, arfcn: 648768, band: 'n78', bw: 80 });
});

test('QENG LTE serving without CQI/tx_power (older EC2x: SINR then srxlev)', () => {
  const r = parse('+QENG: "servingcell","NOCONN","LTE","FDD",460,00,1A2D001,136,1300,3,5,5,1816,-94,-10,-64,16,21');
  assert.equal(r.srxlev, 21); assert.equal(r.cqi, null); assert.equal(r.sinr_raw, 16); assert.equal(r.tac, 0x1816);
});

test('QENG neighbour list: every row in an array, RSRQ before RSRP', () => {
  const r = parse('+QENG: "neighbourcell intra","LTE",1650,12,-11,-98,-70,-,30,7,8,4,255\r\n+QENG: "neighbourcell inter","LTE",100,301,-14,-108,-79,-,10,5,6,8\r\n+QENG: "neighbourcell","WCDMA",10700,0,14,4,302,-90,-8,20\r\nOK');
  const n = r.neighbours as Record<string, unknown>[];
  assert.equal(n.length, 3);
  assert.deepEqual([n[1].type, n[1].earfcn, n[1].rsrq_db, n[1].rsrp_dbm, n[1].threshx_high], ['neighbourcell inter', 100, -14, -108, 8]);
  assert.equal(n[2].rat, 'WCDMA'); assert.equal(n[2].psc, 302);
});

test('QENG SEARCH with no cell is a valid state, and an unknown layout is unparsed', () => {
  assert.deepEqual(parse('+QENG: "servingcell","SEARCH"'), { state: 'SEARCH', rat: null });
  const bad = parseReply('+QENG: "servingcell","NOCONN","LTE","FDD",460,01,5F1EA15,12,1650,3');
  assert.equal(bad.ok, false);
  const odd = parseReply('+QENG: "servingcell","NOCONN","NR5G-SA","TDD",460,01,9013B004,299,690E0F,633984,78,12,-107,-13');
  assert.equal(odd.ok, false);
  const swapped = parseReply('+QENG: "servingcell","NOCONN","LTE","FDD",460,01,5F1EA15,12,1650,3,5,5,DE10,-12,-100,-68,11,0,-,27');
  assert.equal(swapped.ok, false, 'RSRP -12 is not physical: the layout guess would be wrong');
});

test('registration: URC forms, n=3 cause, CEREG n=4 PSM timers, CGREG rac, C5GREG URC', () => {
  assert.deepEqual(parse('+CEREG: 1,"2D66","1CA74B01",7'), { command: 'CEREG', form: 'urc', stat: 1, registration: 'home', tac_hex: '2D66', tac: 0x2d66,
    ci_hex: '1CA74B01', ci: 0x1ca74b01, cell_id_hex: '1CA74B01', cell_id: 0x1ca74b01, act: 7, rat: 'LTE' });
  const u = parse('+CEREG: 0');
  assert.equal(u.form, 'urc'); assert.equal(u.registration, 'not_registered');
  const n3 = parse('+CEREG: 3,3,"","",,0,15', 'AT+CEREG?');
  assert.equal(n3.registration, 'denied'); assert.equal(n3.reject_cause, 15);
  const n4 = parse('+CEREG: 4,1,"2D66","1CA74B01",7,,,"00100100","01000111"');
  assert.equal(n4.active_time, '00100100'); assert.equal(n4.periodic_tau, '01000111');
  const cg = parse('+CGREG: 2,5,"00C3","0000D2C1",2,"01"');
  assert.deepEqual([cg.registration, cg.lac, cg.rat, cg.rac], ['roaming', 0xc3, 'WCDMA', 1]);
  const c5 = parse('+C5GREG: 1,"2D6600","1CA74B017",11,1,"01"');
  assert.deepEqual([c5.form, c5.rat, c5.allowed_nssai], ['urc', 'NR5G-SA', '01']);
  const creg = parse('+CREG: 0,1');
  assert.deepEqual([creg.n, creg.stat], [0, 1]);
});

test('COPS read and scan; CGMR/ATI identity', () => {
  assert.deepEqual(parse('+COPS: 0,0,"CHINA MOBILE",13'), { mode: 0, format: 0, operator: 'CHINA MOBILE', act: 13, rat: 'NR5G-NSA' });
  const num = parse('+COPS: 0,2,"46001",7');
  assert.deepEqual([num.mcc, num.mnc], ['460', '01']);
  const scan = parse('+COPS: (2,"CHINA MOBILE","CMCC","46000",7),(1,"CHN-UNICOM","UNICOM","46001",7),,(0-4),(0-2)');
  assert.equal((scan.networks as unknown[]).length, 2);
  const ati = parse('Manufacturer: SIMCOM INCORPORATED\r\nModel: SIMCOM_SIM7600G-H\r\nRevision: LE20B04SIM7600G22\r\nIMEI: 861234\r\n+GCAP: +CGSM\r\nOK', 'ATI');
  assert.deepEqual([ati.model, ati.firmware], ['SIMCOM_SIM7600G-H', 'LE20B04SIM7600G22']);
  assert.equal(parse('Quectel\r\nRM520N-GL\r\nRevision: RM520NGLAAR03A04M4G\r\n\r\nOK', 'ATI').firmware, 'RM520NGLAAR03A04M4G');
  assert.equal(parse('+CGMR: LE13B04SIM8202M44A-M2', 'AT+CGMR').firmware, 'LE13B04SIM8202M44A-M2');
  assert.equal(parse('EG25GGBR07A08M2G\r\nOK', 'AT+CGMR').firmware, 'EG25GGBR07A08M2G');
});

test('PDP: CGPADDR dual stack, CGACT list, CGCONTRDP with address+mask in one field', () => {
  const a = parse('+CGPADDR: 1,"10.1.2.3","32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1"');
  assert.deepEqual([a.ipv4, a.ipv6], ['10.1.2.3', '2001:db8:0:0:0:0:0:1']);
  const act = parse('+CGACT: 1,1\r\n+CGACT: 2,0');
  assert.deepEqual(act.contexts, [{ cid: 1, state: 1, active: true }, { cid: 2, state: 0, active: false }]);
  const rdp = parse('+CGCONTRDP: 1,5,"cmnet","10.76.51.180.255.255.255.0","10.76.51.1","211.138.24.66","211.138.30.66"');
  assert.deepEqual([rdp.ipv4, rdp.prefix, rdp.gateway, rdp.dns1, rdp.dns2, rdp.apn], ['10.76.51.180', 24, '10.76.51.1', '211.138.24.66', '211.138.30.66', 'cmnet']);
});

test('CGEV forms: PDN DEACT, new-style NW DEACT, detach, ME PDN ACT', () => {
  assert.deepEqual(parse('+CGEV: NW PDN DEACT 1'), { event: 'NW_DEACT_PRIMARY', cid: 1, link_lost: true });
  assert.equal(parse('+CGEV: NW DEACT 1,2,0').event, 'NW_DEACT_SECONDARY');
  assert.equal(parse('+CGEV: NW DETACH').link_lost, true);
  assert.deepEqual(parse('+CGEV: ME PDN ACT 1'), { event: 'ME_ACT_PRIMARY', cid: 1, link_lost: false });
  assert.equal(parseReply('+CGEV: SOMETHING NEW').ok, false);
});

test('CPSI: NR5G_SA (RSRP before RSRQ, tenths), NO SERVICE, CESQ with NR fields', () => {
  const sa = parse('+CPSI: NR5G_SA,Online,460-11,0x5A1E00,4955280,257,NR5G_BAND78,627264,-1010,-110,165');
  assert.deepEqual([sa.rat, sa.band, sa.rsrp_dbm, sa.rsrq_db, sa.sinr_db, sa.tac], ['NR5G-SA', 'n78', -101, -11, 16.5, 0x5a1e00]);
  assert.deepEqual(parse('+CPSI: NO SERVICE,Online'), { service: false, rat: null, operation_mode: 'Online' });
  const c = parse('+CESQ: 99,99,255,255,255,255,70,60,60');
  assert.deepEqual(c.nr, { rsrq_db: -8, rsrp_dbm: -97, sinr_db: 7 });
});

test('Quectel settings and data-call replies', () => {
  assert.deepEqual(parse('+QCFG: "usbnet",1'), { name: 'usbnet', value: 1, settings: { usbnet: 1 } });
  assert.deepEqual(parse('+QNWPREFCFG: "nr5g_band",1:3:28:41:78').value, ['n1', 'n3', 'n28', 'n41', 'n78']);
  assert.deepEqual(parse('+QNWPREFCFG: "lte_band",1:3:5:8').value, [1, 3, 5, 8]);
  assert.deepEqual(parse('+QNWPREFCFG: "mode_pref",LTE:NR5G').value, ['LTE', 'NR5G']);
  assert.equal(parse('+QNETDEVCTL: 1,1,1,1').connected, true);
  assert.equal(parse('+QNETDEVSTATUS: 0').link_lost, true);
  const st = parse('+QNETDEVSTATUS: 0B7A0C0A,FCFFFFFF,097A0C0A,097A0C0A,0A0110AC,0B0110AC,85600,85600');
  assert.deepEqual([st.ipv4, st.prefix, st.gateway, st.dns1], ['10.12.122.11', 30, '10.12.122.9', '172.16.1.10']);
});

test('HCSQ other modes, 255 invalid, unknown prefix and modem errors are unparsed with a reason', () => {
  assert.equal(parse('^HCSQ: "WCDMA",30,30,58').rscp_dbm, -91);
  assert.equal(parse('^HCSQ:"LTE",255,255,255,255').rsrp_dbm, null);
  const e = parseReply('+CME ERROR: 10', { command: 'AT+CPIN?' });
  assert.equal(e.ok, false);
  assert.match(e.ok ? '' : e.reason, /CME ERROR: 10/);
  const u = parseReply('+XYZZY: 1,2');
  assert.equal(u.ok, false);
  assert.match(u.ok ? '' : u.reason, /no parser for \+XYZZY/);
});

test('Quectel -32768 means "not available" in any column; an idle EN-DC NR leg still parses', () => {
  const r = parse('+QENG: "servingcell","NOCONN"\r\n+QENG: "LTE","FDD",310,260,1F2A801,193,2200,4,5,5,FFFE,-95,-12,-65,15,0,-32768,-\r\n+QENG: "NR5G-NSA",310,260,-32768,-32768,-32768,-32768');
  const nr = r.nr as Record<string, unknown>;
  assert.deepEqual([nr.pci, nr.rsrp_dbm, nr.sinr_db, nr.rsrq_db, nr.arfcn], [null, null, null, null, null]);
  assert.equal((r.lte as Record<string, unknown>).tx_power, null);
});

test('CPSI EN-DC NR line with a band column: the lower power value is RSRP', () => {
  const r = parse('+CPSI: LTE,Online,460-00,0x1816,27966979,369,EUTRAN-BAND3,1300,5,5,-113,-1077,-787,6\r\n+CPSI: NR5G_NSA,644,NR5G_BAND78,627264,-960,-120,95');
  const nr = r.nr as Record<string, unknown>;
  assert.deepEqual([nr.band, nr.arfcn, nr.rsrp_dbm, nr.rsrq_db], ['n78', 627264, -96, -12]);
  const lte = r.lte as Record<string, unknown>;
  assert.deepEqual([lte.rsrp_dbm, lte.rsrq_db, lte.rssi_dbm, lte.sinr_db], [-107.7, -11.3, -78.7, 6]);
  const nb = parse('+CPSI: LTE NB-IOT,Online,460-11,0x5AE1,187212754,82,EUTRAN-BAND5,2506,0,0,-7,-115,-110,13');
  assert.deepEqual([nb.rsrp_dbm, nb.rsrq_db, nb.band], [-115, -7, 5]);
});

test('CPSI EN-DC NR line with a decimal SNR (later SIM8200 firmware) keeps it as dB', () => {
  const r = parse('+CPSI: LTE,Online,460-11,0x5A1E,187214780,257,EUTRAN-BAND3,1850,5,5,-94,-850,-545,15\r\n+CPSI: NR5G,58,643296,-12,-86,8.5');
  const nr = r.nr as Record<string, unknown>;
  assert.deepEqual([nr.pci, nr.arfcn, nr.rsrq_db, nr.rsrp_dbm, nr.sinr_db], [58, 643296, -12, -86, 8.5]);
  const lte = r.lte as Record<string, unknown>;
  assert.deepEqual([lte.rsrq_db, lte.rsrp_dbm, lte.rssi_dbm, lte.sinr_db], [-9.4, -85, -54.5, 15]);
  const sa = parse('+CPSI: NR5G_SA,Online,242-12,0x765D,4955280,0,NR5G_BAND78,640704,-770,-110,290');
  assert.deepEqual([sa.rsrp_dbm, sa.rsrq_db, sa.sinr_db, sa.band, sa.mnc], [-77, -11, 29, 'n78', '12']);
});

test('EC2x LTE SINR is whole dB per its profile (negative values occur); RM520N uses the manual formula', async () => {
  const { loadProfiles, matchProfile } = await import('../../transports/cellular/profiles.js');
  const ps = await loadProfiles();
  const ec = matchProfile(ps, { cgmr: 'EC25EFAR06A06M4G' })!;
  const line = '+QENG: "servingcell","NOCONN","LTE","FDD",460,00,8F381C5,107,1300,3,5,5,3193,-98,-13,-70,-3,0,0,21';
  const r = parseReply(line, { units: ec.units });
  assert.ok(r.ok && r.record.sinr_db === -3 && r.record.sinr_raw === -3 && r.record.srxlev === 21 && r.record.tx_power === 0);
});

test('QENG neighbour variants: NR rows with or without ARFCN, either power order; Unisoc LTE rows with RSRP first', () => {
  const r = parse('+QENG: "neighbourcell","NR5G",633984,123,-95,-11,15\r\n+QENG: "neighbourcell","NR5G",300,-88,-9,20\r\n+QENG: "neighbourcell","NR5G-NSA",631000,200,-9,-90,15\r\n+QENG: "neighbourcell intra","LTE",1300,100,-95,-12,30,8,-,-,-');
  const n = r.neighbours as Record<string, unknown>[];
  assert.deepEqual(n.map((x) => ['arfcn' in x ? x.arfcn : x.earfcn, x.pci, x.rsrp_dbm, x.rsrq_db]), [[633984, 123, -95, -11], [null, 300, -88, -9], [631000, 200, -90, -9], [1300, 100, -95, -12]]);
  assert.equal(r.unparsed_rows, undefined);
});
