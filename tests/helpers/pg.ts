/**
 * PostgreSQL for tests: every call of `createTestDatabase` makes a fresh, empty database on the server named by
 * TEST_DATABASE_URL (set by `npm test`, which starts a throwaway cluster when none is given) and returns its URL.
 * No test skips when PostgreSQL is missing: `requireTestDatabaseUrl` throws instead.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function requireTestDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through `npm test` (it starts PostgreSQL)');
  return url;
}

/** True when this pass runs the suites on PostgreSQL (`npm test`'s second pass). */
export function onPostgresPass(): boolean {
  return process.env.TEST_STORE_DRIVER === 'postgres';
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: requireTestDatabaseUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function urlFor(database: string): string {
  const url = new URL(requireTestDatabaseUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `aion_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const drop = () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);
  return { url: urlFor(name), name, drop };
}
