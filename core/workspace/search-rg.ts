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

/** The filters shared by the search and the file count: what the in-process engine would search, no more. */
function fileFilters(filePatterns: string[] | undefined): string[] {
  const filters = ['--no-config', '--no-ignore', '--hidden', '--no-follow', '--max-filesize', String(MAX_SEARCH_FILE_BYTES)];
  // Positive (user) globs first: in ripgrep the later glob wins, so the excludes must come after them.
  for (const p of filePatterns ?? []) if (p) filters.push('--glob', p.replace(/\\/g, '/').replace(/^\.\//, ''));
  for (const name of DEFAULT_EXCLUDES) filters.push('--glob', `!${name}`);
  filters.push('--glob', `!*.{${[...BINARY_EXTENSIONS].flatMap((e) => [e, e.toUpperCase()]).join(',')}}`);
  return filters;
}

function searchArgs(req: EngineRequest, filters: string[]): string[] {
  const args = ['--json', ...filters, '-C', '1', req.caseSensitive ? '--case-sensitive' : '--ignore-case'];
  if (!req.regex) args.push('--fixed-strings');
  args.push('--regexp', req.query, '--', '.');
  return args;
}

/** A running `rg --json`: its output lines, its exit code, the head of its stderr. */
function spawnRipgrep(args: string[], cwd: string) {
  const child = spawn('rg', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.on('error', () => {});
  return {
    lines: createInterface({ input: child.stdout, crlfDelay: Infinity }),
    exited,
    stderr: () => stderr,
    kill: () => child.kill('SIGKILL'),
  };
}

/**
 * Turns rg's JSON messages into matches. Lines of the current file (matches and ±1 context) are kept by number and
 * become matches at the file's `end` message, when the context after the last match is known.
 */
class RgMatchCollector {
  readonly matches: SearchMatch[] = [];
  filesBegun = 0;
  searches: number | undefined;
  private lines = new Map<number, string>();
  private matchLines: Array<{ line: number; column: number }> = [];
  private current = '';

  constructor(
    private readonly relStart: string,
    private readonly want: number,
  ) {}

  get full(): boolean {
    return this.matches.length >= this.want;
  }

  /** Takes one message; true once enough matches are in. */
  take(type: string, d: RgData): boolean {
    if (type === 'begin') this.beginFile(d);
    else if (type === 'match' || type === 'context') this.keepLine(type, d);
    else if (type === 'end') this.endFile();
    else if (type === 'summary') this.searches = d.stats?.searches;
    return this.full;
  }

  private beginFile(d: RgData) {
    this.filesBegun++;
    this.current = joinRel(this.relStart, lineText(d.path).replace(/^\.\//, ''));
    this.lines = new Map();
    this.matchLines = [];
  }

  private keepLine(type: 'match' | 'context', d: RgData) {
    const text = lineText(d.lines);
    // rg may report several lines in one match message for multi-line matches; we only ever search line by line.
    this.lines.set(d.line_number!, text.split('\n')[0]);
    if (type !== 'match') return;
    const startByte = d.submatches?.[0]?.start ?? 0;
    // rg counts bytes; editors (and the in-process engine) count UTF-16 units.
    const column = Buffer.from(text, 'utf8').subarray(0, startByte).toString('utf8').length + 1;
    this.matchLines.push({ line: d.line_number!, column });
  }

  private endFile() {
    for (const m of this.matchLines) {
      if (this.full) break;
      const text = this.lines.get(m.line) ?? '';
      const around = [this.lines.get(m.line - 1), text, this.lines.get(m.line + 1)];
      const ctx = around.filter((x): x is string => x !== undefined).map(capLine);
      this.matches.push({ file: this.current, line: m.line, column: m.column, text: capLine(text.trim()), context: ctx.join('\n') });
    }
  }
}

/** Parses one output line; undefined for anything that is not a JSON message. */
function parseMessage(raw: string): { type: string; data: RgData } | undefined {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Runs ripgrep; rejects with RipgrepPatternError when rg cannot compile the pattern. */
export async function searchWithRipgrep(req: EngineRequest): Promise<SearchResult> {
  const filters = fileFilters(req.filePatterns);
  // rg's JSON stats count only files with a match, so the files searched are counted by a parallel `rg --files`.
  const counter = countFiles(filters, req.start);
  const rg = spawnRipgrep(searchArgs(req, filters), req.start);
  const collector = new RgMatchCollector(req.relStart, req.maxResults + 1);
  let stoppedEarly = false;
  const stop = () => {
    stoppedEarly = true;
    rg.kill();
  };
  const timer = setTimeout(stop, req.timeoutMs);
  for await (const raw of rg.lines) {
    if (stoppedEarly) break;
    const msg = parseMessage(raw);
    if (msg && collector.take(msg.type, msg.data)) {
      stop();
      break;
    }
  }
  const code = await rg.exited;
  clearTimeout(timer);
  if (stoppedEarly) counter.cancel();
  const listed = stoppedEarly ? undefined : await counter.count;
  // Exit 2 with no output at all is rg refusing the pattern (or the folder); 2 after results means some files were unreadable.
  if (code === 2 && !stoppedEarly && collector.filesBegun === 0 && /regex|parse|syntax|error/i.test(rg.stderr())) {
    throw new RipgrepPatternError(rg.stderr().trim().split('\n')[0] ?? 'ripgrep error');
  }
  const kept = collector.matches.slice(0, req.maxResults);
  return {
    matches: kept,
    totalMatches: kept.length,
    filesSearched: listed ?? Math.max(collector.searches ?? 0, collector.filesBegun),
    truncated: stoppedEarly || collector.matches.length > req.maxResults,
    engine: 'ripgrep',
  };
}
