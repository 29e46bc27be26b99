/**
 * Files the user adds to a message: images go into the chat as data URLs (the model sees them), everything else is
 * sent to `POST /api/process_file`, whose extracted text travels with the message.
 */
import { authHeaders, failure } from '../api.ts';

export interface Attachment {
  key: string;
  name: string;
  kind: 'image' | 'document';
  state: 'reading' | 'ready' | 'failed';
  /** Images: the data URL. */
  dataUrl?: string;
  /** Documents: the extracted text. */
  text?: string;
  error?: string;
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/** The server's image limit per message (`events.md`: at most 10 images). */
export const MAX_IMAGES = 10;
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

let seq = 0;

function readDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

async function processOnServer(file: File): Promise<string> {
  const form = new FormData();
  form.append('file', file, file.name);
  const res = await fetch('/api/process_file', { method: 'POST', headers: authHeaders(), body: form });
  if (!res.ok) throw await failure(res);
  const body = (await res.json()) as { text?: string };
  return body.text ?? '';
}

/** Start reading one file; `update` is called with the attachment as it changes. */
export function attach(file: File, update: (a: Attachment) => void, tooLarge: string): Attachment {
  const image = IMAGE_TYPES.has(file.type);
  const a: Attachment = { key: `a${++seq}`, name: file.name || (image ? 'image' : 'file'), kind: image ? 'image' : 'document', state: 'reading' };
  const done = (patch: Partial<Attachment>) => update({ ...a, ...patch });
  if (image && file.size > MAX_IMAGE_BYTES) {
    queueMicrotask(() => done({ state: 'failed', error: tooLarge }));
    return a;
  }
  (image ? readDataUrl(file).then((dataUrl) => ({ dataUrl })) : processOnServer(file).then((text) => ({ text })))
    .then((patch) => done({ ...patch, state: 'ready' }))
    .catch((error: Error) => done({ state: 'failed', error: error.message }));
  return a;
}
