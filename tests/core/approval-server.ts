/**
 * The set-up the approval suites share: a plugins folder with the test tools (`danger` needs approval) and, when asked,
 * the held-turn plugin (a turn held between announcing its approval and parking it), and a server on it with two users.
 *
 * @example
 * let t: ApprovalServer;
 * before(async () => (t = await startApprovalServer({ heldTurn: true })));
 * after(() => t.s.dispose());
 */
import { pluginsDir, TEST_TOOLS_MANIFEST, TEST_TOOLS_PLUGIN, writePlugin } from '../helpers/plugins.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HELD_TURN_MANIFEST, HELD_TURN_PLUGIN } from './held-turn-plugin.ts';

/** A new plugins folder holding the test tools, and the held-turn plugin when `heldTurn`. */
export function approvalPlugins(opts: { heldTurn?: boolean } = {}): string {
  const dir = pluginsDir();
  writePlugin(dir, 'test-tools', TEST_TOOLS_PLUGIN, TEST_TOOLS_MANIFEST);
  if (opts.heldTurn) writePlugin(dir, 'held-turn', HELD_TURN_PLUGIN, HELD_TURN_MANIFEST);
  return dir;
}

export interface ApprovalServer {
  s: TestServer;
  /** Tokens of two users (the first account is the admin). */
  alice: string;
  bob: string;
}

/** A server on `approvalPlugins(opts)`, with Alice and Bob signed up (`emails` when two suites must not share them). */
export async function startApprovalServer(opts: { heldTurn?: boolean; env?: Record<string, string>; emails?: [string, string] } = {}): Promise<ApprovalServer> {
  const s = await startServer({ env: { PLUGINS_DIRS: approvalPlugins(opts), ...opts.env } });
  const [a, b] = opts.emails ?? ['alice@example.com', 'bob@example.com'];
  return { s, alice: (await s.signup(a)).token, bob: (await s.signup(b)).token };
}
