/**
 * The release feed: `UPDATE_FEED_URL` answering JSON `{ version, notes?, url? }`. Also understood: npm registry
 * metadata (`…/<name>/latest`, the default) and a GitHub `releases/latest` answer (`tag_name`, `body`, `html_url`).
 */

export interface Release {
  version: string;
  notes: string | null;
  url: string | null;
}

/** The default feed: the npm registry's latest version of this package. */
export function defaultFeed(packageName: string): string {
  return `https://registry.npmjs.org/${packageName.replace('/', '%2F')}/latest`;
}

const MAX_BYTES = 1_000_000;

export async function fetchRelease(feedUrl: string, packageName: string, signal?: AbortSignal): Promise<Release> {
  const res = await fetch(feedUrl, { headers: { accept: 'application/json', 'user-agent': 'aion-updater' }, signal, redirect: 'follow' });
  if (!res.ok) throw new Error(res.status === 404 ? `Feed ${feedUrl} not found (404): no release published` : `Feed answered HTTP ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new Error('Feed answer too large');
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error('Feed answer is not JSON');
  }
  const raw = typeof body?.version === 'string' ? body.version : typeof body?.tag_name === 'string' ? body.tag_name : undefined;
  if (!raw) throw new Error('Feed answer has no version');
  const version = raw.trim().replace(/^v/i, '');
  const notes = [body.notes, body.body, body.release_notes].find((n) => typeof n === 'string') ?? null;
  const url =
    [body.url, body.html_url, body.release_url].find((u) => typeof u === 'string' && /^https?:\/\//.test(u)) ??
    (typeof body.name === 'string' && body.name === packageName ? `https://www.npmjs.com/package/${packageName}/v/${version}` : null);
  return { version, notes: notes ? notes.slice(0, 500) : null, url };
}
