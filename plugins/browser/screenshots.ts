/**
 * Screenshots go to the user's workspace (`screenshots/`), written without following links: the folder must resolve
 * inside the workspace and the file is created fresh (`O_EXCL | O_NOFOLLOW`), so a planted symlink cannot redirect it.
 */
import { constants } from 'node:fs';
import { mkdir, open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError, notFound, type PluginContext } from '../../core/plugin-api/index.ts';

export const SHOT_NAME = /^browser-[0-9a-z-]{8,80}\.png$/;

async function shotsDir(ctx: PluginContext<any>, userId: string): Promise<string> {
  const root = await realpath(await ctx.workspace.root(userId));
  const dir = path.join(root, 'screenshots');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const real = await realpath(dir);
  if (real !== dir) throw new AppError(400, 'PATH_OUTSIDE_WORKSPACE', 'The screenshots folder of the workspace is a link; remove it first');
  return dir;
}

export async function saveShot(ctx: PluginContext<any>, userId: string, png: Buffer): Promise<{ name: string; file: string; path: string }> {
  const dir = await shotsDir(ctx, userId);
  const name = `browser-${new Date().toISOString().replace(/[:.]/g, '-').toLowerCase()}-${randomBytes(3).toString('hex')}.png`;
  const file = path.join(dir, name);
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(png);
  } finally {
    await handle.close();
  }
  return { name, file, path: `screenshots/${name}` };
}

export async function readShot(ctx: PluginContext<any>, userId: string, name: string): Promise<Buffer> {
  if (!SHOT_NAME.test(name)) throw notFound('No such screenshot');
  const dir = await shotsDir(ctx, userId);
  try {
    const handle = await open(path.join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch {
    throw notFound('No such screenshot');
  }
}

