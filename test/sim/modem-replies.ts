// What the simulated modem says: identity per firmware profile and replies computed from the sim's state.
// Signal replies follow each family's documented layout and units (the same ones the parsers decode).

export interface SimSignal { rsrp: number; rsrq: number; sinr: number; rssi: number }

export interface SimState {
  profile: string;
  echo: boolean;
  cfun: number;
  sim: 'ready' | 'pin' | 'missing';
  pin: string;
  stat: number;
  rat: 'LTE' | 'NR5G-SA';
  signal: SimSignal;
  pdpActive: boolean;
  ipv4: string;
  apn: string | null;
}

const IDENTITY: Record<string, { ati: string[]; cgmr: string }> = {
  'quectel-rm5xx': { ati: ['Quectel', 'RM520N-GL', 'Revision: RM520NGLAAR03A04M4G'], cgmr: 'RM520NGLAAR03A04M4G' },
  'quectel-ec2x': { ati: ['Quectel', 'EG25', 'Revision: EG25GGBR07A08M2G'], cgmr: 'EG25GGBR07A08M2G' },
  'simcom-sim8200': { ati: ['Manufacturer: SIMCOM INCORPORATED', 'Model: SIMCOM_SIM8200EA-M2', 'Revision: LE20B04SIM8200M22', 'IMEI: 867000000000001'], cgmr: '+CGMR: LE20B04SIM8200M22' },
  'simcom-sim7600': { ati: ['Manufacturer: SIMCOM INCORPORATED', 'Model: SIMCOM_SIM7600G-H', 'Revision: LE20B04SIM7600G22', 'IMEI: 867000000000002'], cgmr: '+CGMR: LE20B04SIM7600G22' },
  'huawei-me909s': { ati: ['Manufacturer: Huawei Technologies Co., Ltd.', 'Model: ME909s-821', 'Revision: 11.617.01.00.00', 'IMEI: 867000000000003'], cgmr: '11.617.01.00.00' },
  'generic-3gpp': { ati: ['Manufacturer: ACME', 'Model: X1', 'Revision: ACME-X1-1.0'], cgmr: 'ACME-X1-1.0' },
};

export function identityOf(profile: string) { return IDENTITY[profile] ?? IDENTITY['generic-3gpp']; }

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));
const leHex = (ip: string) => ip.split('.').map((x) => Number(x).toString(16).padStart(2, '0')).reverse().join('').toUpperCase();

function regLine(prefix: string, s: SimState, withN: boolean): string {
  const act = s.rat === 'NR5G-SA' && prefix === '+C5GREG' ? 11 : 7;
  // each RAT's registration only reports the RAT the modem is on (in SA, EPS is not registered)
  const nr = prefix === '+C5GREG';
  const stat = nr !== (s.rat === 'NR5G-SA') ? 0 : s.stat;
  const n = withN ? '2,' : '';
  if (stat !== 1 && stat !== 5) return `${prefix}: ${n}${stat}`;
  return `${prefix}: ${n}${stat},"2D66","1CA74B01",${act}`;
}

export function registrationUrc(s: SimState): string[] {
  const own = s.profile === 'quectel-rm5xx' || s.profile === 'simcom-sim8200';
  return s.rat === 'NR5G-SA' && own ? [regLine('+C5GREG', s, false)] : [regLine('+CEREG', s, false)];
}

function signalReply(cmd: string, s: SimState): string[] | null {
  const g = s.signal;
  if (/^AT\+QENG="SERVINGCELL"$/i.test(cmd)) {
    if (s.stat !== 1 && s.stat !== 5) return ['+QENG: "servingcell","SEARCH"'];
    if (s.rat === 'NR5G-SA') return [`+QENG: "servingcell","NOCONN","NR5G-SA","TDD",460,01,9013B004,299,690E0F,633984,78,12,${g.rsrp},${g.rsrq},${g.sinr},1,-`];
    // RM5xx LTE SINR is reported as (dB + 20) / 2; EC2x is left raw by its profile.
    const sinrRaw = s.profile === 'quectel-rm5xx' ? clamp((g.sinr + 20) / 2, 0, 25) : g.sinr;
    return [`+QENG: "servingcell","NOCONN","LTE","FDD",460,01,5F1EA15,12,1650,3,5,5,DE10,${g.rsrp},${g.rsrq},${g.rssi},${sinrRaw},0,-,27`];
  }
  if (/^AT\+CPSI\?$/i.test(cmd)) {
    if (s.stat !== 1 && s.stat !== 5) return ['+CPSI: NO SERVICE,Online'];
    return [`+CPSI: LTE,Online,460-01,0x2D18,50896642,236,EUTRAN-BAND3,1650,5,5,${g.rsrq * 10},${g.rsrp * 10},${g.rssi * 10},${g.sinr}`];
  }
  if (/^AT\^HCSQ\?$/i.test(cmd)) {
    if (s.stat !== 1 && s.stat !== 5) return ['^HCSQ: "NOSERVICE"'];
    return [`^HCSQ: "LTE",${clamp(g.rssi + 121, 0, 96)},${clamp(g.rsrp + 141, 0, 97)},${clamp((g.sinr + 20.2) * 5, 0, 251)},${clamp((g.rsrq + 20) * 2, 0, 34)}`];
  }
  if (/^AT\+CESQ$/i.test(cmd)) return [`+CESQ: 99,99,255,255,${clamp((g.rsrq + 20) * 2, 0, 34)},${clamp(g.rsrp + 141, 0, 97)}`];
  if (/^AT\+CSQ$/i.test(cmd)) return [`+CSQ: ${clamp((g.rssi + 113) / 2, 0, 31)},99`];
  return null;
}

/** The reply lines (without the final code) or a final error; null = unknown command → ERROR. */
export function replyTo(cmd: string, s: SimState): { lines: string[]; final: string } | null {
  const c = cmd.trim();
  const up = c.toUpperCase();
  const okWith = (lines: string[] = []) => ({ lines, final: 'OK' });
  if (up === 'AT') return okWith();
  if (up === 'ATE0' || up === 'ATE1') { s.echo = up === 'ATE1'; return okWith(); }
  if (/^ATI\d?$/.test(up)) return okWith(identityOf(s.profile).ati);
  if (up === 'AT+CGMR' || up === 'AT+GMR') return okWith([identityOf(s.profile).cgmr]);
  if (/^AT\+(CMEE|CREG|CGREG|CEREG|C5GREG|CGEREP)=/.test(up)) return okWith();
  if (up === 'AT+CPIN?') {
    if (s.sim === 'missing') return { lines: [], final: '+CME ERROR: 10' };
    return okWith([s.sim === 'pin' ? '+CPIN: SIM PIN' : '+CPIN: READY']);
  }
  const pin = /^AT\+CPIN="?(\d+)"?$/.exec(up);
  if (pin) {
    if (s.sim === 'missing') return { lines: [], final: '+CME ERROR: 10' };
    if (pin[1] !== s.pin) return { lines: [], final: '+CME ERROR: 16' };
    s.sim = 'ready';
    return okWith();
  }
  const reg = /^AT(\+CEREG|\+C5GREG|\+CREG|\+CGREG)\?$/.exec(up);
  if (reg) return okWith([regLine(reg[1], s, true)]);
  if (up === 'AT+COPS?') return okWith(s.stat === 1 || s.stat === 5 ? [`+COPS: 0,0,"CHINA MOBILE",${s.rat === 'NR5G-SA' ? 11 : 7}`] : ['+COPS: 0']);
  const sig = signalReply(c, s);
  if (sig) return okWith(sig);
  const apn = /^AT\+CGDCONT=\d+,"[^"]*","([^"]*)"/i.exec(c);
  if (apn) { s.apn = apn[1]; return okWith(); }
  if (/^AT(\+QNETDEVCTL=1,|\$QCRMCALL=1,|\^NDISDUP=\d+,1|\+CGACT=1,)/.test(up)) {
    if (s.stat !== 1 && s.stat !== 5) return { lines: [], final: '+CME ERROR: 30' };
    s.pdpActive = true;
    return okWith();
  }
  if (/^AT(\+QNETDEVCTL=0,|\$QCRMCALL=0,|\^NDISDUP=\d+,0|\+CGACT=0,)/.test(up)) { s.pdpActive = false; return okWith(); }
  if (/^AT\+CGPADDR(=\d+)?$/.test(up)) return okWith([`+CGPADDR: 1,"${s.pdpActive ? s.ipv4 : '0.0.0.0'}"`]);
  if (up === 'AT+CGACT?') return okWith([`+CGACT: 1,${s.pdpActive ? 1 : 0}`]);
  if (up === 'AT^DHCP?') {
    if (!s.pdpActive) return { lines: [], final: 'ERROR' };
    const gw = s.ipv4.replace(/\.\d+$/, '.1');
    return okWith([`^DHCP: ${leHex(s.ipv4)},${leHex('255.255.255.0')},${leHex(gw)},${leHex(gw)},${leHex('192.0.2.53')},${leHex('192.0.2.54')},150000000,50000000`]);
  }
  return null;
}
