// Case-insensitive `*` / `?` globs for firmware matching (ATI / AT+CGMR text) and port paths.
export function globToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'is');
}

export function globMatch(glob: string, text: string): boolean { return globToRegExp(glob).test(text); }

export function hasGlob(s: string): boolean { return /[*?]/.test(s); }
