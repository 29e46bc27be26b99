/**
 * Summarise a sampling `.heapprofile` (mem-trace.mjs `HEAP_SAMPLE_FILE`): bytes by allocating function (self) and by
 * function including what it calls (inclusive, each function once per stack), top N.
 * Run: `node scripts/bench/heap-summary.mjs file.heapprofile [N] [filter]` (filter: only stacks through a function
 * whose name or file contains it).
 */
import { readFileSync } from 'node:fs';

const [file, n = '30', filter] = process.argv.slice(2);
const { head } = JSON.parse(readFileSync(file, 'utf8'));
const self = new Map();
const incl = new Map();
let total = 0;
const name = (c) => `${c.functionName || '(anon)'} ${c.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'npm:').replace(/.*\/(wt|tmp)\/[^/]+\//, '')}:${c.lineNumber + 1}`;
function walk(node, stack) {
  const key = name(node.callFrame);
  const here = [...stack, key];
  const size = node.selfSize;
  if (size && (!filter || here.some((k) => k.includes(filter)))) {
    total += size;
    self.set(key, (self.get(key) ?? 0) + size);
    for (const k of new Set(here)) incl.set(k, (incl.get(k) ?? 0) + size);
  }
  for (const child of node.children) walk(child, here);
}
walk(head, []);
const show = (title, m) => {
  console.log(`\n${title} (total ${(total / 1048576).toFixed(1)} MB)`);
  for (const [k, b] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${(b / 1048576).toFixed(2).padStart(8)} MB  ${k}`);
};
show('allocated by function (self)', self);
show('allocated under function (inclusive)', incl);
