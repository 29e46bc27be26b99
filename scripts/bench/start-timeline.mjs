/**
 * Where a start's CPU goes over time, from a `.cpuprofile` (start-ab.mjs `--profile`): each sample is charged to one
 * owner — GC, idle, a plugin bundle (dist/plugin-cache), vendored zod, an npm package, or the host function the
 * sample is in — found from the innermost frame outwards in that order, so a package called by a plugin counts as
 * the plugin's. Prints the top owners of every window (default 25 ms) and the totals, which is what a flat
 * self-time summary (profile-summary.mjs) cannot show: the order of module loading, schema building, plugin
 * loading and listen, and the garbage collections between them.
 *
 * Run: `node scripts/bench/start-timeline.mjs file.cpuprofile [windowMs] [topN]`.
 */
import { readFileSync } from 'node:fs';

const [file, windowArg = '25', topArg = '40'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const windowUs = Number(windowArg) * 1000;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const owners = new Map();
function owner(id) {
  if (owners.has(id)) return owners.get(id);
  const chain = [];
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) chain.push(byId.get(cur).callFrame);
  const name = chain[0].functionName;
  const found =
    (name === '(garbage collector)' && 'GC') ||
    (name === '(idle)' && 'idle') ||
    chain.map((c) => /plugin-cache\/(.+?)(-[0-9a-f]{16})?\.mjs/.exec(c.url)).find(Boolean)?.[1]?.replace(/^/, 'plugin ') ||
    (chain.some((c) => c.url.includes('/vendor/zod/')) && 'zod (vendored)') ||
    chain.map((c) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(c.url)).find(Boolean)?.[1]?.replace(/^/, 'npm ') ||
    chain.filter((c) => c.url.includes('/dist/server') && c.functionName).map((c) => `host ${c.functionName}`)[0] ||
    `node ${chain[0].url.replace(/^node:internal\//, '') || name}`;
  owners.set(id, found);
  return found;
}

const windows = new Map();
const totals = new Map();
let t = 0;
let all = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  t += dt;
  all += dt;
  const w = Math.floor(t / windowUs);
  const who = owner(id);
  if (!windows.has(w)) windows.set(w, new Map());
  windows.get(w).set(who, (windows.get(w).get(who) ?? 0) + dt);
  totals.set(who, (totals.get(who) ?? 0) + dt);
});
const ms = (us) => (us / 1000).toFixed(1);
for (const [w, m] of [...windows].sort((a, b) => a[0] - b[0])) {
  const top = [...m].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([who, us]) => `${who} ${ms(us)}`);
  console.log(`${String((w * windowUs) / 1000).padStart(5)} ms  ${top.join(' | ')}`);
}
console.log(`\ntotal ${ms(all)} ms, by owner:`);
for (const [who, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) console.log(`${ms(us).padStart(7)} ms  ${who}`);
