/**
 * Summarise a `.cpuprofile`: self time by function and by package/file, top N.
 * Run: `node scripts/bench/profile-summary.mjs file.cpuprofile [N]`.
 */
import { readFileSync } from 'node:fs';

const [file, n = '30'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const dt = profile.timeDeltas;
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map();
const where = new Map();
for (const [id, t] of self) {
  const { callFrame: c } = byId.get(id);
  const url = c.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'npm:').replace(/.*\/wt\/[^/]+\//, '');
  const pkg = url.startsWith('npm:') ? url.split('/').slice(0, url.startsWith('npm:@') ? 2 : 1).join('/') : url || `(${c.functionName || 'native'})`;
  const key = `${c.functionName || '(anon)'} ${url}:${c.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + t);
  where.set(pkg, (where.get(pkg) ?? 0) + t);
}
const show = (title, m) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms)`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${((t / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
};
show('self time by function', fn);
show('self time by file / package', where);

// Inclusive time by function (a function counted once per sample even when it recurses).
const parent = new Map();
for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const incl = new Map();
const keyOf = (node) => {
  const c = node.callFrame;
  const url = c.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'npm:').replace(/.*\/wt\/[^/]+\//, '').replace(/.*\.plugin-cache\//, 'plugin:');
  return `${c.functionName || '(anon)'} ${url}:${c.lineNumber + 1}`;
};
for (const [id, t] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = keyOf(byId.get(cur));
    if (!seen.has(k)) {
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + t);
    }
  }
}
show('inclusive time by function', incl);
