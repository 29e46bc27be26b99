/**
 * Workspace benchmark: (1) the overhead of `executeCode` (sandbox wrappers, temp folder, clean env) for python
 * `print(1)` against spawning the interpreter directly; (2) search over a generated 10,000-file workspace, p50 for
 * ripgrep (when installed) and the in-process engine. Run: `node --import tsx scripts/bench/workspace.ts`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { executeCode } from '../../core/workspace/execute.ts';
import { sandboxCapabilities } from '../../core/workspace/sandbox.ts';
import { hasRipgrep, searchWorkspace } from '../../core/workspace/search.ts';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm-up (probes, caches)
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

const spawnWait = (cmd: string, args: string[]) =>
  new Promise<void>((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    c.stdout.resume();
    c.on('error', reject);
    c.on('close', () => resolve());
  });

const realPython = await new Promise<string>((resolve) => {
  const c = spawn('python3', ['-c', 'import sys; print(sys.executable)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let s = '';
  c.stdout.on('data', (d) => (s += d));
  c.on('close', () => resolve(s.trim() || 'python3'));
});

const base = mkdtempSync(path.join(os.tmpdir(), 'aion-bench-ws-'));
try {
  console.log('sandbox:', JSON.stringify(await sandboxCapabilities()));
  const N = 30;
  const exec = await time(N, () => executeCode({ language: 'python', code: 'print(1)', cwd: base }));
  const direct = await time(N, () => spawnWait(realPython, ['-c', 'print(1)']));
  const viaPath = await time(N, () => spawnWait('python3', ['-c', 'print(1)']));
  console.log(`\nexecuteCode python print(1), ${N} runs`);
  console.log(`  executeCode          p50 ${fmt(pct(exec, 50))}  p95 ${fmt(pct(exec, 95))}`);
  console.log(`  spawn ${path.basename(realPython)} (real) p50 ${fmt(pct(direct, 50))}  p95 ${fmt(pct(direct, 95))}`);
  console.log(`  spawn python3 (PATH) p50 ${fmt(pct(viaPath, 50))}  (may be a version-manager shim)`);
  console.log(`  ratio executeCode / direct: ${(pct(exec, 50) / pct(direct, 50)).toFixed(2)}x, overhead ${fmt(pct(exec, 50) - pct(direct, 50))}`);

  // 100 folders × 100 files, ~1.5 KB each; "needle" on one line in every 50th file.
  const ws = path.join(base, 'search');
  const t0 = performance.now();
  for (let d = 0; d < 100; d++) {
    const dir = path.join(ws, `pkg${d}`, 'src');
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 100; f++) {
      const i = d * 100 + f;
      const lines = Array.from({ length: 40 }, (_, l) => `export const value_${i}_${l} = computeSomething(${l}, "text ${i}");`);
      if (i % 50 === 0) lines[20] = `// needle found in file ${i}`;
      writeFileSync(path.join(dir, `file${f}.ts`), lines.join('\n') + '\n');
    }
  }
  console.log(`\nsearch over 10,000 files (~${(10_000 * 2.6).toFixed(0)} KB), generated in ${fmt(performance.now() - t0)}`);
  const engines: Array<'node' | 'ripgrep'> = (await hasRipgrep()) ? ['ripgrep', 'node'] : ['node'];
  const R = 10;
  for (const engine of engines) {
    for (const [label, opts] of [
      ['literal "needle"', { query: 'needle' }],
      ['regex value_\\d+_39 =', { query: 'value_\\d+_39 =', regex: true, maxResults: 100 }],
      ['absent (full scan)', { query: 'zz_not_there_zz' }],
    ] as const) {
      let last: Awaited<ReturnType<typeof searchWorkspace>> | undefined;
      const runs = await time(R, async () => (last = await searchWorkspace(ws, { ...opts, engine, timeoutMs: 30000 })));
      console.log(
        `  ${engine.padEnd(7)} ${label.padEnd(24)} p50 ${fmt(pct(runs, 50))}  p95 ${fmt(pct(runs, 95))}  ` +
          `(${last!.matches.length} matches, ${last!.filesSearched} files searched${last!.truncated ? ', stopped at maxResults' : ''})`,
      );
    }
  }
  if (engines.length === 1) console.log('  (ripgrep not on PATH: only the in-process engine measured)');
} finally {
  rmSync(base, { recursive: true, force: true });
}
