/**
 * `POST /api/process_file` (multipart field `file`), as the original client's `_processFileOnServer()` calls it:
 * text, Markdown, CSV/JSON/code → the text; PDF → its text (unpdf); images → `{ ok, text }` plus the image as a data
 * URL for the chat's `images`. 10 MB at most (413); anything else is a 415 naming what works. Nothing is kept.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError, badRequest, loadOnFirstUse, type PluginContext } from '../../core/plugin-api/index.ts';

const MAX_BYTES = 10 * 1024 * 1024;
const MAX_TEXT = 60_000;
const TEXT = new Set(['.txt', '.md', '.markdown', '.csv', '.tsv', '.json', '.yaml', '.yml', '.xml', '.html', '.log', '.ini', '.toml',
  '.js', '.ts', '.tsx', '.jsx', '.py', '.sh', '.rb', '.go', '.rs', '.java', '.c', '.h', '.cpp', '.css', '.sql']);
const IMAGES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' };
const SUPPORTED = 'text, Markdown, CSV, JSON, code, PDF, PNG, JPEG, GIF, WebP';

type Upload = { filepath: string; originalFilename?: string | null; size: number };

/**
 * koa-body (with formidable) and unpdf are imported on the first upload and the first PDF, not when the plugin loads:
 * most starts never see either (issue #16). A package that cannot be loaded is a coded 503; the next call tries again.
 */
const unavailable = (what: string) => (reason: string) => new AppError(503, 'FILE_PROCESSING_UNAVAILABLE', `The ${what} could not be loaded: ${reason}`);
const loadMultipart = loadOnFirstUse(
  async () => (await import('koa-body')).koaBody({ multipart: true, urlencoded: false, json: false, text: false, formidable: { maxFileSize: MAX_BYTES, maxFiles: 1, maxFields: 10 } }),
  unavailable('upload parser'),
);
const loadPdfReader = loadOnFirstUse(() => import('unpdf'), unavailable('PDF reader'));

async function readUpload(c: any): Promise<Upload> {
  const multipart = await loadMultipart();
  try {
    await multipart(c, async () => {});
  } catch (error: any) {
    if (/maxFileSize|maxTotalFileSize|options\.max/i.test(String(error?.message))) throw new AppError(413, 'FILE_TOO_LARGE', `The file is larger than ${MAX_BYTES / 1024 / 1024} MB`);
    throw badRequest('Expected a multipart upload with a file field', undefined, 'BAD_UPLOAD');
  }
  const file = c.request.files?.file;
  const one = (Array.isArray(file) ? file[0] : file) as Upload | undefined;
  if (!one) throw badRequest('No file in request (multipart field "file")', [{ field: 'file', message: 'required' }], 'NO_FILE');
  return one;
}

async function pdfText(data: Uint8Array): Promise<{ text: string; pages: number }> {
  const { extractText, getDocumentProxy } = await loadPdfReader();
  try {
    const pdf = await getDocumentProxy(data);
    const { totalPages, text } = await extractText(pdf, { mergePages: true });
    return { text: String(text).trim(), pages: totalPages };
  } catch {
    throw new AppError(422, 'UNREADABLE_PDF', 'The PDF could not be read');
  }
}

/** Strips control characters a text file should not carry (keeps tabs and newlines). */
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function registerProcessFileRoute(ctx: PluginContext<any>): void {
  ctx.routes.post('/process_file', { summary: 'Extract the text of an uploaded file (multipart "file") for the chat' }, async (c) => {
    const upload = await readUpload(c);
    try {
      const name = path.basename(upload.originalFilename || 'file').slice(0, 200);
      const ext = path.extname(name).toLowerCase();
      const data = await readFile(upload.filepath);
      if (ext === '.pdf') {
        const { text, pages } = await pdfText(new Uint8Array(data));
        return { ok: true, type: 'pdf', name, text: text.slice(0, MAX_TEXT), pages };
      }
      if (IMAGES[ext]) {
        const image = `data:${IMAGES[ext]};base64,${data.toString('base64')}`;
        return { ok: true, type: 'image', name, text: `[Image: ${name}]`, image, mediaType: IMAGES[ext] };
      }
      if (TEXT.has(ext) || !ext) {
        if (data.includes(0)) throw new AppError(415, 'UNSUPPORTED_FILE', `${name} looks binary; supported: ${SUPPORTED}`);
        return { ok: true, type: 'text', name, text: clean(data.toString('utf8')).slice(0, MAX_TEXT) };
      }
      throw new AppError(415, 'UNSUPPORTED_FILE', `No processor for ${ext}; supported: ${SUPPORTED}`);
    } finally {
      await rm(upload.filepath, { force: true }).catch(() => undefined);
    }
  });
}
