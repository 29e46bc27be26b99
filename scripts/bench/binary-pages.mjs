/**
 * Which parts of the node binary are resident in a running process: its mapped pages that are present (from
 * `/proc/<pid>/pagemap`, readable by the process's owner), each attributed by file offset to the binary's section and
 * to the symbol covering it (`nm`), and grouped by component (V8's TurboFan, Maglev, WebAssembly, builtins, OpenSSL,
 * ICU, …). With two pids it prints them side by side: a server against a bare `node:http` one says what our start
 * makes resident. Linux only; needs `nm` and `readelf` (binutils).
 *
 * Run: `node scripts/bench/binary-pages.mjs <pid> [<pid>…]` (the binary is the first pid's `/proc/<pid>/exe`).
 * How it was used (README, idle RSS): TurboFan's code pages are the largest difference, brought in at start by one
 * function that reached TurboFan (`trace-opt` names it).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync, readSync } from 'node:fs';

const PAGE = 4096;
const pids = process.argv.slice(2);
if (!pids.length) throw new Error('usage: binary-pages.mjs <pid> [<pid>…]');
const binary = readlinkSync(`/proc/${pids[0]}/exe`);

/** Sections with an address (name, file offset, size, address), from `readelf -S`. */
function sections() {
  const out = [];
  for (const line of execFileSync('readelf', ['-S', '-W', binary], { encoding: 'utf8' }).split('\n')) {
    const m = /\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(line);
    if (m) out.push({ name: m[1], address: parseInt(m[2], 16), offset: parseInt(m[3], 16), size: parseInt(m[4], 16) });
  }
  return out;
}

/** Symbols with a size, sorted by address (demangled). */
function symbols() {
  const out = [];
  const text = execFileSync('nm', ['-S', '-C', '--defined-only', binary], { encoding: 'utf8', maxBuffer: 1 << 30 });
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) \S (.*)$/.exec(line);
    if (m) out.push({ address: parseInt(m[1], 16), size: parseInt(m[2], 16), name: m[3] });
  }
  return out.sort((a, b) => a.address - b.address);
}

const V8_PARTS = ['compiler', 'maglev', 'wasm', 'interpreter', 'baseline', 'regexp', 'torque'];
/** The component a symbol belongs to. */
function component(name) {
  const plain = name.replace(/^(non-)?virtual thunk to /, '').replace(/^\(anonymous namespace\)::/, '');
  if (/^(ossl_|EVP_|X509|SSL|BIO_|BN_|bn_|EC_|ec_|ecp_|RSA|ASN1|OPENSSL|CRYPTO|ERR_|OBJ_|PEM_|aes|sha)/.test(plain)) return 'openssl';
  if (/^(icu_|u_|ucol|ubrk|ures|udata|uprv)|icudt\d+_dat/.test(plain)) return 'icu';
  if (plain.startsWith('Builtins_')) return 'v8 builtins';
  if (/^uv_/.test(plain)) return 'libuv';
  if (/^(inflate|deflate|Cr_z|crc32)/.test(plain)) return 'zlib';
  if (/^(Brotli|kBrotli|kStatic)/.test(plain)) return 'brotli';
  const ns = /^((?:[A-Za-z_0-9]+::)+)/.exec(plain)?.[1].split('::').filter(Boolean) ?? [];
  if (ns[0] === 'v8' && ns[1] === 'internal') return `v8::internal::${V8_PARTS.includes(ns[2]) ? ns[2] : '*'}`;
  if (ns.length) return ns.slice(0, 2).join('::');
  return 'other';
}

/** Present pages of the binary's mappings in `pid`, as file offsets. */
function residentOffsets(pid) {
  const offsets = [];
  const pagemap = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
      const parts = line.split(/\s+/);
      if (parts[5] !== binary) continue;
      const [start, end] = parts[0].split('-').map((h) => parseInt(h, 16));
      const fileOffset = parseInt(parts[2], 16);
      const pages = (end - start) / PAGE;
      const entries = Buffer.alloc(pages * 8);
      readSync(pagemap, entries, 0, entries.length, (start / PAGE) * 8);
      for (let i = 0; i < pages; i++) if (entries.readBigUInt64LE(i * 8) >> 63n) offsets.push(fileOffset + i * PAGE);
    }
  } finally {
    closeSync(pagemap);
  }
  return offsets;
}

const secs = sections();
const syms = symbols();
/** The symbol whose range holds `address` (binary search), else undefined. */
function symbolAt(address) {
  let lo = 0;
  let hi = syms.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (syms[mid].address <= address) lo = mid;
    else hi = mid - 1;
  }
  const s = syms[lo];
  return s && s.address <= address && address < s.address + Math.max(s.size, 1) ? s : undefined;
}

const tables = pids.map((pid) => {
  const counts = new Map();
  for (const offset of residentOffsets(pid)) {
    const sec = secs.find((s) => s.offset <= offset && offset < s.offset + s.size);
    let key = sec?.name ?? '(headers)';
    if (sec && sec.address && (sec.name === '.text' || sec.name === '.rodata')) {
      const sym = symbolAt(offset - sec.offset + sec.address + PAGE / 2); // the symbol under the page's middle
      key = `${sec.name} ${sym ? component(sym.name) : '(no symbol)'}`;
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
});

const mb = (pages) => ((pages * PAGE) / 1048576).toFixed(2).padStart(8);
const keys = [...new Set(tables.flatMap((t) => [...t.keys()]))].sort((a, b) => (tables[0].get(b) ?? 0) - (tables[0].get(a) ?? 0));
console.log(`resident pages of ${binary}, MB`);
console.log('component'.padEnd(40), ...pids.map((p) => String(p).padStart(8)));
console.log('(all)'.padEnd(40), ...tables.map((t) => mb([...t.values()].reduce((a, b) => a + b, 0))));
for (const k of keys.slice(0, 40)) console.log(k.slice(0, 40).padEnd(40), ...tables.map((t) => mb(t.get(k) ?? 0)));
