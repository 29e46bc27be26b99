/**
 * The document store: collections on lowdb JSON files under `DATA_DIR/store/`.
 *
 * Layout (so no write ever rewrites more than one user's or one conversation's data):
 * - global collection `name`:                 `store/<name>.json`
 * - per-user collection `name`:               `store/<name>/<userId>.json`
 * - per-user partitioned collection `name`:   `store/<name>/<userId>/<key>.json` (e.g. messages per conversation)
 *
 * User data is reachable only through `forUser(userId)`, so a handler cannot forget to scope a query.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Collection, Doc, PartitionedCollection, UserStore } from '../plugin-api/types.ts';
import { FileCollection } from './collection.ts';

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const KEY = /^[A-Za-z0-9_-]{1,128}$/;

function checkName(name: string): string {
  if (!NAME.test(name)) throw new Error(`invalid collection name "${name}"`);
  return name;
}
function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`invalid store key "${key}"`);
  return key;
}

export interface CorruptionReport {
  file: string;
  movedTo: string;
  at: number;
}

export class Store {
  readonly root: string;
  private files = new Map<string, FileCollection<any>>();
  readonly corruptions: CorruptionReport[] = [];

  constructor(dataDir: string, private readonly log: Logger) {
    this.root = path.join(dataDir, 'store');
  }

  private open<T extends Doc>(name: string, file: string): FileCollection<T> {
    let c = this.files.get(file);
    if (!c) {
      c = new FileCollection<T>(name, file, this.log, (f, movedTo) => this.corruptions.push({ file: f, movedTo, at: Date.now() }));
      this.files.set(file, c);
    }
    return c;
  }

  /** A global collection. */
  collection<T extends Doc>(name: string): Collection<T> {
    return this.open<T>(name, path.join(this.root, `${checkName(name)}.json`));
  }

  /** The data of one user. */
  forUser(userId: string): UserStore {
    checkKey(userId);
    const store = this;
    return {
      userId,
      collection<T extends Doc>(name: string): Collection<T> {
        return store.open<T>(name, path.join(store.root, checkName(name), `${userId}.json`));
      },
      partitioned<T extends Doc>(name: string): PartitionedCollection<T> {
        const dir = path.join(store.root, checkName(name), userId);
        return {
          partition: (key) => store.open<T>(name, path.join(dir, `${checkKey(key)}.json`)),
          keys: async () => jsonNames(dir),
          dropPartition: async (key) => {
            const file = path.join(dir, `${checkKey(key)}.json`);
            const c = store.files.get(file);
            if (c) {
              await c.drop();
              store.files.delete(file);
            } else await rm(file, { force: true });
          },
        };
      },
    };
  }

  /** Users that have a file in the per-user collection `name`. */
  async usersWith(name: string): Promise<string[]> {
    return jsonNames(path.join(this.root, checkName(name)));
  }

  /** Load every global collection file now, so corrupt files are found and reported at start. */
  async loadGlobals(): Promise<void> {
    let entries: string[] = [];
    try {
      entries = await readdir(this.root);
    } catch {
      return;
    }
    await Promise.all(
      entries
        .filter((f) => f.endsWith('.json') && NAME.test(f.slice(0, -5)))
        .map((f) => (this.collection(f.slice(0, -5)) as FileCollection<any>).load()),
    );
  }

  /** Wait for every pending write. */
  async settle(): Promise<void> {
    await Promise.all([...this.files.values()].map((c) => c.settle()));
  }
}

async function jsonNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  } catch {
    return [];
  }
}
