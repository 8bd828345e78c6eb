// Maps reply prefixes and command names to the pure parsers, so a reply can be parsed by its command or recognised
// by its prefix (`kefu modem parse`). Built per call: no module-level mutable registry.
import { parseCgev } from './parse-cgev.js';
import { parseCops } from './parse-cops.js';
import { parseCreg } from './parse-creg.js';
import { parseCesq, parseCsq } from './parse-csq.js';
import { parseCpsi } from './parse-cpsi.js';
import { parseDhcp, parseHcsq } from './parse-huawei.js';
import { parseIdent } from './parse-ident.js';
import { parseCgact, parseCgcontrdp, parseCgpaddr } from './parse-pdp.js';
import { parseQcfg, parseQnetdevctl, parseQnetdevstatus, parseQnwprefcfg } from './parse-quectel-cfg.js';
import { parseQeng } from './parse-qeng.js';
import { replyLines } from './tokens.js';
import type { ParseOptions, ParseOutcome, Parser } from './types.js';

export const PARSERS: Readonly<Record<string, Parser>> = Object.freeze({
  csq: parseCsq, cesq: parseCesq, creg: parseCreg, cops: parseCops, ident: parseIdent,
  cgpaddr: parseCgpaddr, cgact: parseCgact, cgcontrdp: parseCgcontrdp, cgev: parseCgev,
  qeng: parseQeng, qnetdevctl: parseQnetdevctl, qnetdevstatus: parseQnetdevstatus, qcfg: parseQcfg,
  qnwprefcfg: parseQnwprefcfg, cpsi: parseCpsi, hcsq: parseHcsq, dhcp: parseDhcp,
});

export type ParserName = keyof typeof PARSERS;

/** Reply prefix → parser name. */
export const PREFIXES: Readonly<Record<string, string>> = Object.freeze({
  '+CSQ': 'csq', '+CESQ': 'cesq', '+CREG': 'creg', '+CGREG': 'creg', '+CEREG': 'creg', '+C5GREG': 'creg',
  '+COPS': 'cops', '+CGMR': 'ident', '+GMR': 'ident', '+CGPADDR': 'cgpaddr', '+CGACT': 'cgact',
  '+CGCONTRDP': 'cgcontrdp', '+CGEV': 'cgev', '+QENG': 'qeng', '+QNETDEVCTL': 'qnetdevctl',
  '+QNETDEVSTATUS': 'qnetdevstatus', '+QCFG': 'qcfg', '+QNWPREFCFG': 'qnwprefcfg', '+CPSI': 'cpsi',
  '^HCSQ': 'hcsq', '^DHCP': 'dhcp',
});

/** The prefix a line starts with (`+CEREG`, `^HCSQ`), or null. */
export function prefixOf(line: string): string | null {
  const m = /^([+^$#%][A-Z0-9]+)\s*:/i.exec(line.trim());
  return m ? m[1].toUpperCase() : null;
}

/** Which parser a command's reply needs: "AT+QENG=\"servingcell\"" → qeng, "ATI" → ident. */
export function parserForCommand(command: string): string | null {
  const c = command.trim().toUpperCase();
  if (/^AT\s*I\d?\s*$/.test(c) || /^AT\+(CGMR|GMR|CGMI|CGMM|GMI|GMM)\b/.test(c) || /^AT\+CGSN\b/.test(c)) return 'ident';
  const m = /([+^][A-Z0-9]+)/.exec(c);
  return m ? PREFIXES[m[1]] ?? null : null;
}

/** Final result codes that mean the modem refused the command. */
export function errorIn(lines: string[]): string | null {
  const e = lines.find((l) => /^(ERROR|\+CME ERROR:|\+CMS ERROR:|NO CARRIER|COMMAND NOT SUPPORT)/i.test(l));
  return e ?? null;
}

function linesFor(parser: string, lines: string[]): string[] {
  const own = Object.entries(PREFIXES).filter(([, p]) => p === parser).map(([k]) => k);
  if (parser === 'ident') return lines.filter((l) => { const p = prefixOf(l); return p === null || own.includes(p); });
  return lines.filter((l) => own.includes(prefixOf(l) ?? ''));
}

export interface ParseReplyOptions extends ParseOptions {
  command?: string;
  /** parser name to force (a profile's polling entry names it). */
  parser?: string;
}

/**
 * Parses a reply (or URC lines). With a command or parser name, only that parser's lines are used; without,
 * the parser is recognised from the first prefixed line.
 */
export function parseReply(text: string, opts: ParseReplyOptions = {}): ParseOutcome {
  const lines = replyLines(text);
  if (lines.length === 0) return { ok: false, reason: 'empty reply' };
  const err = errorIn(lines);
  if (err) return { ok: false, reason: `modem answered ${err}` };
  let name = opts.parser ?? (opts.command ? parserForCommand(opts.command) : null);
  if (opts.command && !name) return { ok: false, reason: `no parser for command ${opts.command}` };
  if (!name) {
    const prefixed = lines.map(prefixOf).find((p) => p !== null && PREFIXES[p]);
    if (prefixed) name = PREFIXES[prefixed];
    else if (lines.some((l) => /^(Manufacturer|Model|Revision)\s*:/i.test(l))) name = 'ident';
    else {
      const unknown = lines.map(prefixOf).find((p) => p !== null);
      return { ok: false, reason: unknown ? `no parser for ${unknown} replies` : 'reply has no recognisable prefix; pass --command' };
    }
  }
  const parser = PARSERS[name];
  if (!parser) return { ok: false, reason: `unknown parser "${name}"` };
  const own = linesFor(name, lines);
  if (own.length === 0) return { ok: false, parser: name, reason: `reply has no line for parser ${name}` };
  try {
    return parser(own, opts);
  } catch (e) {
    // Parsers are fuzzed never to throw; this keeps a future bug from crashing a poll loop.
    return { ok: false, parser: name, reason: `parser ${name} failed: ${(e as Error).message}` };
  }
}
