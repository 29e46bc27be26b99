/**
 * Start-up cleanup of temp files on a shared DATA_DIR: a new instance must not delete the temp file of a write another
 * live instance is doing (it is older than the new process, but fresh), only ones nobody has touched for long.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createTestDatabase } from '../helpers/pg.ts';
import { startServer } from '../helpers/server.ts';

test("an instance starting on a shared DATA_DIR keeps another instance's fresh temp files, removes abandoned ones", async () => {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-shared-temp-'));
  const live = path.join(dataDir, '.jwt-secret.0123456789ab.tmp'); // instance B is writing it right now
  const abandoned = path.join(dataDir, '.jwt-secret.ba9876543210.tmp'); // a crash an hour ago left it
  writeFileSync(live, 'in flight');
  writeFileSync(abandoned, 'left over');
  const seconds = (ago: number) => new Date(Date.now() - ago * 1000);
  utimesSync(live, seconds(5), seconds(5)); // older than the next process, as a write that began before it started
  utimesSync(abandoned, seconds(3600), seconds(3600));
  const s = await startServer({ dataDir, databaseUrl: db.url }); // the cleanup runs before it listens
  try {
    assert.ok(existsSync(live), "a live instance's write in flight was deleted");
    assert.ok(!existsSync(abandoned), 'an abandoned temp file was kept');
  } finally {
    await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await db.drop();
  }
});
