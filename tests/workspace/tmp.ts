/** Temp workspaces for the workspace tests: a root plus a sibling "outside" folder holding a secret file. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempWorkspace {
  /** Parent of root and outside. */
  base: string;
  root: string;
  outside: string;
  /** `outside/secret.txt`. */
  secret: string;
  cleanup(): void;
}

export function makeWorkspace(): TempWorkspace {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'aion-ws-')));
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  const secret = path.join(outside, 'secret.txt');
  writeFileSync(secret, 'TOP SECRET\n');
  return { base, root, outside, secret, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** Asserts a promise rejects with an AppError of this status and code. */
export async function rejectsWith(p: Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(p, (e: { status?: number; code?: string }) => {
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    return true;
  });
}
