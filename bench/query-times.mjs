// Preload (node --import) that times every pg query by its first 90 characters: for bench/drain.mjs profiling.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../package.json', import.meta.url));
const pg = require('pg');
const stats = new Map();
const orig = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, values, cb) {
  const text = typeof config === 'string' ? config : config?.text ?? '';
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
  const t0 = performance.now();
  const res = orig.call(this, config, values, cb);
  if (res && typeof res.then === 'function') {
    res.then(() => { const s = stats.get(key) ?? { n: 0, ms: 0 }; s.n++; s.ms += performance.now() - t0; stats.set(key, s); }, () => {});
  }
  return res;
};
setInterval(() => {
  const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
  require('node:fs').writeFileSync('/tmp/query-times.txt', rows.map(([k, s]) => `${s.ms.toFixed(0).padStart(7)} ms ${String(s.n).padStart(6)}x ${(s.ms / s.n).toFixed(2).padStart(7)} avg  ${k}`).join('\n'));
}, 1000).unref();
