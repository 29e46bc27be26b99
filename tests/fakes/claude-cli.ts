/**
 * A stand-in for the Claude Code CLI: an executable `claude` (a Node script with a `#!/usr/bin/env node` shebang) in a
 * temp folder that goes first on the server's `PATH`. It speaks the CLI's `-p --output-format stream-json --verbose`
 * NDJSON (`system` init, `stream_event` deltas with `--include-partial-messages`, whole `assistant` messages, `user`
 * tool results, a final `result` with `usage`), `--version`, the `-p ping` auth probe and `setup-token`.
 *
 * ```ts
 * const cli = installFakeClaude({ reply: 'Hi from Claude' });
 * const s = await startServer({ env: cli.env });        // PATH=<dir>:$PATH, CLAUDE_CONFIG_DIR=<empty dir>
 * cli.set({ hang: true });                               // change the scenario for the next runs
 * cli.calls();                                           // [{ argv, stdin, pid }] of every run
 * ```
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface FakeClaudeScenario {
  version?: string;
  /** Signed in (the `ping` probe succeeds). Default true. */
  auth?: boolean;
  /** The answer; default `Fake Claude heard: <last line of the prompt>`. */
  reply?: string;
  thinking?: string;
  /** One tool the CLI "runs" before answering. */
  tool?: { name: string; input: Record<string, unknown>; result: string };
  usage?: { input_tokens: number; output_tokens: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number };
  /** Print the init line, then never answer (abort tests). */
  hang?: boolean;
  /** Exit with this code and stderr, without a result line. */
  fail?: { code: number; stderr: string };
  loginUrl?: string;
  /** Files the "CLI" tries to read from its working folder (as its Read tool would); the reply says which it could. */
  tryRead?: string[];
  /** Files it tries to create (appending nothing); the reply says which it could. */
  tryWrite?: string[];
}

export interface FakeClaude {
  dir: string;
  bin: string;
  env: Record<string, string>;
  set(scenario: FakeClaudeScenario): void;
  /** Every run: its arguments, stdin, pid and working folder. */
  calls(): Array<{ argv: string[]; stdin: string; pid: number; cwd: string }>;
  /** The marker every model call leaves in its working folder. */
  markerName: string;
  dispose(): void;
}

const SCRIPT = String.raw`#!/usr/bin/env node
'use strict';
const fs = require('fs');
const path = require('path');
const dir = __dirname;
const sc = JSON.parse(fs.readFileSync(path.join(dir, 'scenario.json'), 'utf8'));
const argv = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const log = (stdin) => fs.appendFileSync(path.join(dir, 'calls.ndjson'), JSON.stringify({ argv, stdin, pid: process.pid, cwd: process.cwd() }) + '\n');

if (argv.includes('--version')) { log(''); console.log((sc.version || '2.1.3') + ' (Claude Code)'); process.exit(0); }
if (argv[0] === 'setup-token') {
  log('');
  console.log('Opening browser to sign in…');
  console.log('If the browser did not open, visit: ' + (sc.loginUrl || 'https://claude.ai/oauth/authorize?code=true&client_id=fake'));
  setInterval(() => {}, 1000);
  return;
}
if (!argv.includes('-p')) { console.error('fake claude: unsupported ' + argv.join(' ')); process.exit(2); }

const chunks = [];
process.stdin.on('data', (d) => chunks.push(d));
process.stdin.on('end', () => {
  const stdin = Buffer.concat(chunks).toString('utf8');
  log(stdin);
  // The trace a real CLI's tools would leave: a file in its working folder.
  fs.writeFileSync(path.join(process.cwd(), 'fake-claude-was-here.txt'), String(process.pid));
  const positional = argv.filter((a, i) => !a.startsWith('-') && !['--model', '--output-format', '--append-system-prompt'].includes(argv[i - 1]));
  const prompt = positional.length ? positional[positional.length - 1] : stdin;
  const stream = argv[argv.indexOf('--output-format') + 1] === 'stream-json';
  if (!stream) {
    if (sc.auth === false) { console.log('Invalid API key · Please run /login'); process.exit(1); }
    console.log('pong');
    process.exit(0);
  }
  const session = 'sess-' + process.pid;
  const model = argv.includes('--model') ? argv[argv.indexOf('--model') + 1] : 'claude-sonnet-4-5';
  out({ type: 'system', subtype: 'init', session_id: session, model, cwd: process.cwd(), tools: ['Bash', 'Read'] });
  if (sc.hang) { setInterval(() => {}, 1000); return; }
  if (sc.fail) { process.stderr.write(sc.fail.stderr + '\n'); process.exit(sc.fail.code); }
  if (sc.auth === false) {
    out({ type: 'result', subtype: 'success', is_error: true, result: 'Invalid API key · Please run /login', session_id: session });
    process.exit(1);
  }
  const partial = argv.includes('--include-partial-messages');
  const lines = prompt.trim().split('\n');
  const reads = (sc.tryRead || []).map((p) => { try { return p + ': READ ' + fs.readFileSync(p, 'utf8').slice(0, 80); } catch (e) { return p + ': ' + e.code; } });
  const writes = (sc.tryWrite || []).map((p) => { try { fs.closeSync(fs.openSync(p, 'a')); return p + ': WROTE'; } catch (e) { return p + ': ' + e.code; } });
  const report = [...reads, ...writes];
  const reply = sc.reply || 'Fake Claude heard: ' + lines[lines.length - 1] + (report.length ? '\n' + report.join('\n') : '');
  const ev = (event) => out({ type: 'stream_event', event, session_id: session, parent_tool_use_id: null });
  const message = (content) => ({ id: 'msg_fake', type: 'message', role: 'assistant', model, content, stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 } });
  if (sc.tool) {
    out({ type: 'assistant', message: message([{ type: 'tool_use', id: 'toolu_fake1', name: sc.tool.name, input: sc.tool.input }]), session_id: session, parent_tool_use_id: null });
    out({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_fake1', content: sc.tool.result }] }, session_id: session, parent_tool_use_id: null });
  }
  if (partial) {
    ev({ type: 'message_start', message: message([]) });
    let index = 0;
    if (sc.thinking) {
      ev({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '' } });
      ev({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: sc.thinking } });
      ev({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'sig' } });
      ev({ type: 'content_block_stop', index });
      index++;
    }
    ev({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (let i = 0; i < reply.length; i += 7) ev({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: reply.slice(i, i + 7) } });
    ev({ type: 'content_block_stop', index });
  }
  if (sc.thinking) out({ type: 'assistant', message: message([{ type: 'thinking', thinking: sc.thinking, signature: 'sig' }]), session_id: session, parent_tool_use_id: null });
  out({ type: 'assistant', message: message([{ type: 'text', text: reply }]), session_id: session, parent_tool_use_id: null });
  if (partial) { ev({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } }); ev({ type: 'message_stop' }); }
  const usage = sc.usage || { input_tokens: 11, output_tokens: 7, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  out({ type: 'result', subtype: 'success', is_error: false, duration_ms: 12, num_turns: 1, result: reply, session_id: session, total_cost_usd: 0.0001, usage });
  process.exit(0);
});
`;

export function installFakeClaude(scenario: FakeClaudeScenario = {}): FakeClaude {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-claude-'));
  const bin = path.join(dir, 'claude');
  const configDir = path.join(dir, 'config');
  mkdirSync(configDir);
  writeFileSync(bin, SCRIPT);
  chmodSync(bin, 0o755);
  const set = (s: FakeClaudeScenario) => writeFileSync(path.join(dir, 'scenario.json'), JSON.stringify(s));
  set(scenario);
  return {
    dir,
    bin,
    env: { PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`, CLAUDE_CONFIG_DIR: configDir },
    set,
    markerName: 'fake-claude-was-here.txt',
    calls() {
      const file = path.join(dir, 'calls.ndjson');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
