// Pure line framer for the AT byte stream: lines end in CR, LF or CRLF; a bare "> " with no line end is the
// SMS/data prompt. Kept free of I/O so it can be tested and fuzzed on its own.

export type Frame = { kind: 'line'; text: string } | { kind: 'prompt' };

export interface LineFramer {
  push(chunk: string): Frame[];
  reset(): void;
}

const MAX_LINE = 8192;

export function createLineFramer(): LineFramer {
  let buf = '';
  return {
    push(chunk) {
      buf += chunk;
      const out: Frame[] = [];
      let m: RegExpExecArray | null;
      const re = /[\r\n]/g;
      let start = 0;
      while ((m = re.exec(buf)) !== null) {
        const text = buf.slice(start, m.index).trim();
        if (text !== '') out.push({ kind: 'line', text });
        start = m.index + 1;
      }
      buf = buf.slice(start);
      if (/^\s*>\s?$/.test(buf)) { out.push({ kind: 'prompt' }); buf = ''; }
      // A modem spewing garbage without line ends must not grow the buffer without bound.
      if (buf.length > MAX_LINE) { out.push({ kind: 'line', text: buf.trim() }); buf = ''; }
      return out;
    },
    reset() { buf = ''; },
  };
}

const FINAL_OK = /^(OK|CONNECT(\s.*)?)$/;
const FINAL_ERR = /^(ERROR|NO CARRIER|NO ANSWER|NO DIALTONE|BUSY|COMMAND NOT SUPPORT|TOO MANY PARAMETERS|\+CME ERROR:.*|\+CMS ERROR:.*)$/;

export type FinalKind = 'ok' | 'error' | null;

/** Whether a line ends a command, and how. */
export function finalKind(line: string): FinalKind {
  if (FINAL_OK.test(line)) return 'ok';
  if (FINAL_ERR.test(line)) return 'error';
  return null;
}

/** Numeric +CME/+CMS code, or the text when verbose errors are on; null for plain ERROR. */
export function errorCode(line: string): string | null {
  const m = /^\+(CME|CMS) ERROR:\s*(.+)$/.exec(line);
  return m ? m[2].trim() : null;
}
