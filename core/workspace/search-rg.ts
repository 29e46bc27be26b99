/**
 * The ripgrep engine (`rg --json`), used when `rg` is on PATH. It is told to ignore .gitignore and include hidden
 * files so that it searches exactly what the in-process engine would; the same default excludes are passed as globs.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BINARY_EXTENSIONS } from './binary.ts';
import { MAX_SEARCH_FILE_BYTES, capLine, joinRel, type EngineRequest, type SearchMatch, type SearchResult } from './search-types.ts';
import { DEFAULT_EXCLUDES } from './walk.ts';

let probe: Promise<boolean> | undefined;

/** Whether `rg` runs here (checked once per process). */
export function hasRipgrep(): Promise<boolean> {
  probe ??= new Promise((resolve) => {
    const child = spawn('rg', ['--version'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
  return probe;
}

/** Thrown when ripgrep refuses the pattern (its regex dialect differs from JS); the caller falls back. */
export class RipgrepPatternError extends Error {}

interface RgText {
  text?: string;
  bytes?: string;
}
interface RgData {
  path?: RgText;
  lines?: RgText;
  line_number?: number;
  submatches?: Array<{ start: number }>;
  stats?: { searches?: number };
}

const lineText = (t: RgText | undefined) => (t?.text ?? (t?.bytes ? Buffer.from(t.bytes, 'base64').toString('utf8') : '')).replace(/\r?\n$/, '');

/** Counts the files rg would search (`--files` with the same filters); undefined if it fails or is cancelled. */
function countFiles(filters: string[], cwd: string): { count: Promise<number | undefined>; cancel(): void } {
  const child = spawn('rg', ['--files', ...filters, '--', '.'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
  let lines = 0;
  child.stdout.on('data', (d: Buffer) => {
    for (const b of d) if (b === 10) lines++;
  });
  const count = new Promise<number | undefined>((resolve) => {
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(code === 0 || code === 1 ? lines : undefined));
  });
  return { count, cancel: () => child.kill('SIGKILL') };
}

/** Runs ripgrep; rejects with RipgrepPatternError when rg cannot compile the pattern. */
export async function searchWithRipgrep(req: EngineRequest): Promise<SearchResult> {
  const filters = ['--no-config', '--no-ignore', '--hidden', '--no-follow', '--max-filesize', String(MAX_SEARCH_FILE_BYTES)];
  // Positive (user) globs first: in ripgrep the later glob wins, so the excludes must come after them.
  for (const p of req.filePatterns ?? []) if (p) filters.push('--glob', p.replace(/\\/g, '/').replace(/^\.\//, ''));
  for (const name of DEFAULT_EXCLUDES) filters.push('--glob', `!${name}`);
  filters.push('--glob', `!*.{${[...BINARY_EXTENSIONS].flatMap((e) => [e, e.toUpperCase()]).join(',')}}`);
  const args = ['--json', ...filters, '-C', '1', req.caseSensitive ? '--case-sensitive' : '--ignore-case'];
  if (!req.regex) args.push('--fixed-strings');
  args.push('--regexp', req.query, '--', '.');
  // rg's JSON stats count only files with a match, so the files searched are counted by a parallel `rg --files`.
  const counter = countFiles(filters, req.start);

  const child = spawn('rg', args, { cwd: req.start, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.on('error', () => {});

  const matches: SearchMatch[] = [];
  const want = req.maxResults + 1;
  let filesBegun = 0;
  let searches: number | undefined;
  let stoppedEarly = false;
  const timer = setTimeout(() => {
    stoppedEarly = true;
    child.kill('SIGKILL');
  }, req.timeoutMs);

  // Lines of the current file (matches and ±1 context) by number; turned into matches at its `end` message.
  let lines = new Map<number, string>();
  let matchLines: Array<{ line: number; column: number }> = [];
  let current = '';
  const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
  for await (const raw of rl) {
    if (stoppedEarly) break;
    let msg: { type: string; data: RgData };
    try {
      msg = JSON.parse(raw);
    } catch {
      continue;
    }
    const d = msg.data;
    if (msg.type === 'begin') {
      filesBegun++;
      current = joinRel(req.relStart, lineText(d.path).replace(/^\.\//, ''));
      lines = new Map();
      matchLines = [];
    } else if (msg.type === 'match' || msg.type === 'context') {
      const text = lineText(d.lines);
      // rg may report several lines in one match message for multi-line matches; we only ever search line by line.
      lines.set(d.line_number!, text.split('\n')[0]);
      if (msg.type === 'match') {
        const startByte = d.submatches?.[0]?.start ?? 0;
        // rg counts bytes; editors (and the in-process engine) count UTF-16 units.
        const column = Buffer.from(text, 'utf8').subarray(0, startByte).toString('utf8').length + 1;
        matchLines.push({ line: d.line_number!, column });
      }
    } else if (msg.type === 'end') {
      for (const m of matchLines) {
        if (matches.length >= want) break;
        const text = lines.get(m.line) ?? '';
        const ctx = [lines.get(m.line - 1), text, lines.get(m.line + 1)].filter((x): x is string => x !== undefined).map(capLine);
        matches.push({ file: current, line: m.line, column: m.column, text: capLine(text.trim()), context: ctx.join('\n') });
      }
      if (matches.length >= want) {
        stoppedEarly = true;
        child.kill('SIGKILL');
        break;
      }
    } else if (msg.type === 'summary') {
      searches = d.stats?.searches;
    }
  }
  const code = await exited;
  clearTimeout(timer);
  if (stoppedEarly) counter.cancel();
  const listed = stoppedEarly ? undefined : await counter.count;
  // Exit 2 with no output at all is rg refusing the pattern (or the folder); 2 after results means some files were unreadable.
  if (code === 2 && !stoppedEarly && filesBegun === 0 && /regex|parse|syntax|error/i.test(stderr)) {
    throw new RipgrepPatternError(stderr.trim().split('\n')[0] ?? 'ripgrep error');
  }
  const kept = matches.slice(0, req.maxResults);
  return {
    matches: kept,
    totalMatches: kept.length,
    filesSearched: listed ?? Math.max(searches ?? 0, filesBegun),
    truncated: stoppedEarly || matches.length > req.maxResults,
    engine: 'ripgrep',
  };
}
