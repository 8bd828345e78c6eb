// The daemon's version, reported in `state` and `kefu status`.
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
